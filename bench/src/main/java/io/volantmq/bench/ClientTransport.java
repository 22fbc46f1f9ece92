package io.volantmq.bench;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** The client socket implementation: Linux epoll (fewer system calls per message) or portable NIO. */
enum ClientTransport {
    EPOLL, NIO;

    /** {@code auto} picks epoll where the native library loads. */
    static ClientTransport of(String name) {
        return switch (name) {
            case "auto" -> Epoll.isAvailable() ? EPOLL : NIO;
            case "epoll" -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalArgumentException("--transport epoll is not available here: " + Epoll.unavailabilityCause());
                }
                yield EPOLL;
            }
            case "nio" -> NIO;
            default -> throw new IllegalArgumentException("--transport must be auto, epoll or nio, not " + name);
        };
    }

    IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    Class<? extends SocketChannel> channelClass() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
