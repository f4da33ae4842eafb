{#-
  Part of agent.groovy: the lease. One controller owns the master at a time;
  the agent is the single authority on who. A controller acquires the lease
  when it is free or has expired (or when the holder has its own name: that
  controller restarted), renews it with every long-poll, and gives it back
  when it stops. Each acquisition by another process starts a new epoch.

  Every batch of operations carries the lease its sender believes it holds
  (controller name, instance, epoch): a batch from anyone else is fenced
  (each operation answered `fenced`, nothing done), so a controller that lost
  the master, a partition healed, can act on nothing there.

  Times are the agent's own clock; the controller gives up a lease it could
  not renew before its own clock says it expires, with a margin.
-#}
class GearmanJenkinsLease {
    private String owner          // controller name
    private String instance       // that controller's process (a restart is a new instance)
    private long epoch = 0
    private long expires = 0      // System.currentTimeMillis() after which the lease is free
    private long acquiredAt = 0

    /** Acquire, or renew if the caller already holds it; the answer says who holds it now. */
    synchronized Map acquire(String name, String caller, long ttlMs) {
        long now = System.currentTimeMillis()
        boolean held = owner == name && instance == caller && now < expires
        if (!held && owner != null && owner != name && now < expires) {
            return stateAt(now) + [granted: false]
        }
        if (!held) {
            // Free, expired, or its own controller restarted: a new epoch fences the old holder.
            epoch++
            owner = name
            instance = caller
            acquiredAt = now
        }
        expires = now + ttlMs
        return stateAt(now) + [granted: true, new_epoch: !held]
    }

    /** Renews only the lease the caller holds, at that epoch. */
    synchronized Map renew(String name, String caller, long leaseEpoch, long ttlMs) {
        long now = System.currentTimeMillis()
        if (admitsAt(name, caller, leaseEpoch, now)) {
            expires = now + ttlMs
            return stateAt(now) + [granted: true]
        }
        return stateAt(now) + [granted: false]
    }

    synchronized Map release(String name, String caller, long leaseEpoch) {
        long now = System.currentTimeMillis()
        if (admitsAt(name, caller, leaseEpoch, now)) {
            expires = 0
        }
        return stateAt(now)
    }

    synchronized boolean admits(String name, String caller, long leaseEpoch) {
        return admitsAt(name, caller, leaseEpoch, System.currentTimeMillis())
    }

    private boolean admitsAt(String name, String caller, long leaseEpoch, long now) {
        return owner == name && instance == caller && epoch == leaseEpoch && now < expires
    }

    synchronized Map state() {
        return stateAt(System.currentTimeMillis())
    }

    private Map stateAt(long now) {
        boolean live = owner != null && now < expires
        return [owner: live ? owner : null, instance: live ? instance : null, epoch: epoch,
                remaining_ms: live ? expires - now : 0, held_ms: live ? now - acquiredAt : 0]
    }

    synchronized Map export() {
        return [owner: owner, instance: instance, epoch: epoch, expires: expires, acquired_at: acquiredAt]
    }

    synchronized void adopt(Map previous) {
        owner = previous.owner as String
        instance = previous.instance as String
        epoch = previous.epoch as long
        expires = previous.expires as long
        acquiredAt = previous.acquired_at as long
    }
}
