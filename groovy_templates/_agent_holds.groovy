{#-
  Part of agent.groovy: executors held for Gearman builds, per node name.
  Two kinds of hold: reservations granted to workers about to grab a job
  (they expire), and pins of scheduled builds not yet started (uuid -> node).
  A finished Gearman build may hand its executor over as a new reservation.

  A Gearman Pipeline's pin outlives the start of its run: it holds the
  executor for the run's first node block the pinned node admits (its
  "pinned block"), and is given up when that block takes the executor or the
  run ends. With OFFLINE_NODE_WHEN_COMPLETE the pinned block's executor is then
  kept from other builds until the run completes; whether the block still
  occupies it is Jenkins' to say, so the agent counts kept executors itself.

  Lock order: Queue's lock, then this lock. Queue.maintain calls canTake with
  the queue lock held, and reserve takes the queue lock before this one, so
  nothing here may call into Jenkins while holding it.
-#}
class GearmanJenkinsHolds {
    final Object lock = new Object()
    private final Map<String, Map> reservations = [:]     // reservation id -> [node, expires]
    private final Map<String, String> pins = [:]          // uuid -> node name
    private final Map<String, Integer> held = [:]         // node name -> reservations + pins
    // Gearman Pipeline runs whose pinned block has not started: while pinned, that block is
    // the first one the pin's node admits; unpinned (the node went away), the first to start.
    private final Set<String> blocksDue = [] as Set
    private final Map<String, Map> kept = [:]             // uuid -> [uuid, node, executor] of a pinned block
    // uuid -> how long the executor of that build is kept as a reservation when it completes
    final Map<String, Long> handovers = new java.util.concurrent.ConcurrentHashMap<String, Long>()

    private void hold(String node, int delta) {
        int count = (held[node] ?: 0) + delta
        if (count > 0) {
            held[node] = count
        } else {
            held.remove(node)
        }
    }

    int heldOn(String node) {
        synchronized (lock) {
            return held[node] ?: 0
        }
    }

    Map heldByNode() {
        synchronized (lock) {
            return new LinkedHashMap(held)
        }
    }

    /** Grants up to `count` reservations on a node with `idle` idle executors (the caller holds the queue lock). */
    List<String> reserve(String node, int idle, int count, long ttlMs) {
        List<String> granted = []
        synchronized (lock) {
            int n = Math.max(0, Math.min(count, idle - (held[node] ?: 0)))
            long expires = System.currentTimeMillis() + ttlMs
            n.times {
                String id = UUID.randomUUID().toString()
                reservations[id] = [node: node, expires: expires]
                hold(node, 1)
                granted << id
            }
        }
        return granted
    }

    /** A reservation of an executor that is still busy with the build handing it over. */
    String handOver(String node, long ttlMs) {
        String id = UUID.randomUUID().toString()
        synchronized (lock) {
            reservations[id] = [node: node, expires: System.currentTimeMillis() + ttlMs]
            hold(node, 1)
        }
        return id
    }

    int release(List ids) {
        int released = 0
        synchronized (lock) {
            ids.each { id ->
                Map r = reservations.remove(id as String)
                if (r != null) {
                    hold(r.node as String, -1)
                    released++
                }
            }
        }
        return released
    }

    /** Drops expired reservations; true if any was dropped. */
    boolean expire(long now) {
        boolean expired = false
        synchronized (lock) {
            Iterator<Map.Entry<String, Map>> entries = reservations.entrySet().iterator()
            while (entries.hasNext()) {
                Map r = entries.next().value
                if (r.expires < now) {
                    entries.remove()
                    hold(r.node as String, -1)
                    expired = true
                }
            }
        }
        return expired
    }

    /** Drops every reservation and handover (a new lease holder); pins of queued builds stay. Returns how many. */
    int dropReservations() {
        int dropped
        synchronized (lock) {
            dropped = reservations.size()
            reservations.values().each { r -> hold(r.node as String, -1) }
            reservations.clear()
        }
        handovers.clear()
        return dropped
    }

    /** Pins a build to a node, turning its reservation (if any) into the pin. */
    void pin(String uuid, String node, String reservation) {
        synchronized (lock) {
            Map r = reservation == null ? null : reservations.remove(reservation)
            if (r != null) {
                hold(r.node as String, -1)
            }
            String previous = pins.put(uuid, node)
            if (previous != null) {
                hold(previous, -1)
            }
            hold(node, 1)
        }
    }

    /** True if the uuid was pinned (the caller then lets the queue look again). */
    boolean unpin(String uuid) {
        synchronized (lock) {
            String node = pins.remove(uuid)
            if (node != null) {
                hold(node, -1)
                return true
            }
            return false
        }
    }

    /** A Gearman Pipeline run started: its pinned block is due (its pin, if any, stays). */
    void expectBlock(String uuid) {
        synchronized (lock) {
            blocksDue.add(uuid)
        }
    }

    /**
     * A block of the run took an executor of `node`: true if it is the run's pinned block,
     * whose pin is then given up (the block holds the executor now).
     */
    boolean blockStarted(String uuid, String node) {
        synchronized (lock) {
            String pinned = pins[uuid]
            if (!blocksDue.contains(uuid) || (pinned != null && pinned != node)) {
                return false
            }
            blocksDue.remove(uuid)
            if (pinned != null) {
                pins.remove(uuid)
                hold(pinned, -1)
            }
            return true
        }
    }

    /** The run ended: its pinned block is no longer due; its pin, if unused, becomes a reservation (`ttlMs` > 0) or goes. */
    String endRun(String uuid, long ttlMs) {
        synchronized (lock) {
            blocksDue.remove(uuid)
            String node = pins.remove(uuid)
            if (node == null) {
                return null
            }
            if (ttlMs <= 0) {
                hold(node, -1)
                return null
            }
            // The pin's executor passes straight to the controller: the node's count stays.
            String id = UUID.randomUUID().toString()
            reservations[id] = [node: node, expires: System.currentTimeMillis() + ttlMs]
            return id
        }
    }

    List<String> dueRuns() {
        synchronized (lock) {
            return new ArrayList<String>(blocksDue)
        }
    }

    /** Keeps the executor a pinned block ran on from other builds, until its run completes. */
    void keep(String uuid, String node, Object executor) {
        synchronized (lock) {
            kept[uuid] = [uuid: uuid, node: node, executor: executor]
        }
    }

    Map keptOf(String uuid) {
        synchronized (lock) {
            return kept[uuid]
        }
    }

    List<Map> keptOn(String node) {
        synchronized (lock) {
            return kept.values().findAll { it.node == node } as List
        }
    }

    List<Map> allKept() {
        synchronized (lock) {
            return new ArrayList<Map>(kept.values())
        }
    }

    boolean unkeep(String uuid) {
        synchronized (lock) {
            return kept.remove(uuid) != null
        }
    }

    String pinOf(String uuid) {
        synchronized (lock) {
            return pins[uuid]
        }
    }

    List<String> pinnedTo(String node) {
        synchronized (lock) {
            return pins.findAll { uuid, pinned -> pinned == node }.collect { it.key }
        }
    }

    /** A copy for the agent that replaces this one; the caller holds the queue lock. */
    Map export() {
        synchronized (lock) {
            return [
                pins: new LinkedHashMap(pins),
                reservations: reservations.collectEntries { id, r -> [(id): new LinkedHashMap(r)] },
                handovers: new LinkedHashMap(handovers),
                blocks_due: new ArrayList(blocksDue),
                kept: kept.collectEntries { uuid, entry -> [(uuid): new LinkedHashMap(entry)] },
            ]
        }
    }

    /**
     * Takes over a previous agent's holds; `queued` answers whether a pinned uuid still waits in
     * the queue. Pins and kept executors of Pipeline runs are taken as they are: the caller
     * gives up those of runs that ended meanwhile (endRun, unkeep) once it can ask Jenkins.
     */
    void adopt(Map state, Closure<Boolean> queued) {
        Set<String> due = ((state.blocks_due ?: []) as List).collect { it as String } as Set
        synchronized (lock) {
            state.pins.each { uuid, node ->
                if ((queued.call(uuid as String) || due.contains(uuid as String)) && !pins.containsKey(uuid as String)) {
                    pins[uuid as String] = node as String
                    hold(node as String, 1)
                }
            }
            state.reservations.each { id, r ->
                if (!reservations.containsKey(id as String)) {
                    reservations[id as String] = [node: r.node as String, expires: r.expires as long]
                    hold(r.node as String, 1)
                }
            }
            blocksDue.addAll(due)
            (state.kept ?: [:]).each { uuid, entry -> kept.putIfAbsent(uuid as String, new LinkedHashMap(entry as Map)) }
        }
        state.handovers.each { uuid, ttl -> handovers.putIfAbsent(uuid as String, ttl as long) }
    }
}
