package hudson.remoting

/** Mirrors remoting's hudson.remoting.ChannelClosedException: a call on a channel that is gone. */
class ChannelClosedException extends IOException {
    ChannelClosedException(String message) {
        super(message)
    }
}
