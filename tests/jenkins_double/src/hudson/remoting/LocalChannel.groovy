package hudson.remoting

/**
 * Mirrors remoting's hudson.remoting.LocalChannel, the built-in node's channel
 * (FilePath.localChannel in core). The double runs an agent's work in its own process
 * (README, "Known differences"), so a connected agent's channel is this one as well.
 */
class LocalChannel implements VirtualChannel {
    static final LocalChannel INSTANCE = new LocalChannel()

    @Override
    String toString() {
        return "LocalChannel"
    }
}
