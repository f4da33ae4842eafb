{#-
  Part of agent.groovy: the agent's event log. Events have gapless sequence
  numbers; the controller long-polls them (agent_events.groovy). The log is
  bounded: a reader that fell behind its oldest entry is told so ("gap") and
  takes a new inventory.
-#}
class GearmanJenkinsEventLog {
    private final Object lock = new Object()
    private final ArrayDeque<Map> log = new ArrayDeque<Map>()
    private final int limit
    private long lastSeq = 0
    private volatile boolean closed = false

    GearmanJenkinsEventLog(int limit) {
        this.limit = limit
    }

    void emit(String type, Map data) {
        synchronized (lock) {
            data.type = type
            data.seq = ++lastSeq
            data.time = System.currentTimeMillis()
            log.addLast(data)
            while (log.size() > limit) {
                log.removeFirst()
            }
            lock.notifyAll()
        }
    }

    long lastSeq() {
        synchronized (lock) {
            return lastSeq
        }
    }

    /** Wakes every waiting reader for good: the agent is being replaced or removed. */
    void close() {
        synchronized (lock) {
            closed = true
            lock.notifyAll()
        }
    }

    /** Events after `after`, waiting up to timeoutMs for the first and lingerMs for more. */
    Map poll(long after, long timeoutMs, long lingerMs, int max) {
        synchronized (lock) {
            long deadline = System.currentTimeMillis() + timeoutMs
            while (lastSeq <= after && !closed) {
                long remaining = deadline - System.currentTimeMillis()
                if (remaining <= 0) {
                    break
                }
                lock.wait(remaining)
            }
            if (lastSeq > after && lingerMs > 0 && !closed) {
                // Gather what happens in the next moments into the same reply.
                lock.wait(lingerMs)
            }
            long oldest = log.isEmpty() ? lastSeq + 1 : log.peekFirst().seq
            if (after + 1 < oldest && after < lastSeq) {
                return [gap: true, events: [], last_seq: lastSeq, stopped: closed]
            }
            List found = []
            Iterator<Map> newestFirst = log.descendingIterator()
            while (newestFirst.hasNext()) {
                Map event = newestFirst.next()
                if (event.seq <= after) {
                    break
                }
                found << event
            }
            found = found.reverse().take(max)
            return [gap: false, events: found, last_seq: found ? found[-1].seq : after, stopped: closed]
        }
    }
}
