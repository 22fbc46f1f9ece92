package io.volantmq.broker;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lets the forbiddenapis build check pass one method, constructor, field or class that really must use a
 * banned API (e.g. the CLI entry point that binds its writers to System.out). Say why at the use.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.FIELD, ElementType.TYPE})
public @interface SuppressForbidden {
}
