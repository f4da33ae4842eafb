package hudson.remoting

/**
 * Mirrors remoting's hudson.remoting.VirtualChannel, as returned by Computer.getChannel()
 * (core/src/main/java/hudson/model/Computer.java): null while the node is not connected.
 * No member is mirrored: the double runs no remote calls; code only compares it with null.
 */
interface VirtualChannel {
}
