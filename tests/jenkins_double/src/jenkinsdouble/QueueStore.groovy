package jenkinsdouble

import hudson.diagnosis.OldDataMonitor
import hudson.model.Action
import hudson.model.Queue
import java.nio.file.Files
import java.nio.file.StandardCopyOption
import java.util.logging.Level
import java.util.logging.Logger
import jenkins.model.Jenkins

/**
 * Not a Jenkins class: the queue in $JENKINS_HOME/queue.json (Jenkins: queue.xml), written
 * on a clean shutdown and read at boot, then renamed to queue.json.bak as Jenkins does.
 * Items keep their ids and actions; an action of a script-defined class is dropped and
 * reported to OldDataMonitor. Blocked items come back buildable (Jenkins does not persist
 * the cause either) and the next maintenance re-blocks them.
 */
class QueueStore {
    private static final Logger LOGGER = Logger.getLogger(QueueStore.class.getName())

    static void save(Queue queue, List<Queue.Item> items) {
        List<Object> saved = new ArrayList<Object>()
        for (Queue.Item item : items) {
            if (!(item.task instanceof hudson.model.Item)) {
                // A Pipeline node block's PlaceholderTask: Jenkins saves it to resume the block,
                // the double does not resume Pipelines (documented difference).
                LOGGER.log(Level.INFO, "not saving queue item {0} of {1}", [item.getId(), item.task] as Object[])
                continue
            }
            List<Object> actions = new ArrayList<Object>()
            for (Action a : item.getActions()) {
                try {
                    actions.add(ObjectCodec.encode(a))
                } catch (Exception e) {
                    LOGGER.log(Level.WARNING, "could not persist action " + a.getClass().getName() + " of queue item " + item.getId(), e)
                }
            }
            saved.add([
                type        : item instanceof Queue.WaitingItem ? "waiting" : "buildable",
                id          : item.getId(),
                task        : ((hudson.model.Item) item.task).getFullName(),
                inQueueSince: item.getInQueueSince(),
                due         : item instanceof Queue.WaitingItem ? ((Queue.WaitingItem) item).timestamp.getTimeInMillis() : 0,
                actions     : actions,
            ])
        }
        new JsonFile(file()).write([lastId: queue.getLastId(), items: saved])
    }

    static void load(Queue queue) {
        JsonFile f = new JsonFile(file())
        if (!f.exists()) {
            return
        }
        try {
            Map data = (Map) f.read()
            queue.setLastId(((Number) data.lastId).longValue())
            for (Object o : (List) data.items) {
                Map item = (Map) o
                hudson.model.Item task = Jenkins.get().getItemByFullName((String) item.task)
                if (!(task instanceof Queue.Task)) {
                    LOGGER.log(Level.WARNING, "dropping queue item {0}: no such job {1}", [item.id, item.task] as Object[])
                    continue
                }
                ObjectCodec codec = new ObjectCodec()
                List<Action> actions = new ArrayList<Action>()
                for (Object encoded : (List) item.actions) {
                    Action a = (Action) codec.decode(encoded)
                    if (a != null) {
                        actions.add(a)
                    }
                }
                GregorianCalendar due = new GregorianCalendar()
                due.setTimeInMillis(((Number) item.due).longValue())
                Queue.WaitingItem wi = new Queue.WaitingItem(due, (Queue.Task) task, actions, ((Number) item.id).longValue(), ((Number) item.inQueueSince).longValue())
                if (!codec.problems.isEmpty()) {
                    OldDataMonitor.report(wi, codec.problems)
                }
                ("waiting".equals(item.type) ? wi : new Queue.BuildableItem(wi)).enter(queue)
            }
            Files.move(file().toPath(), new File(file().getPath() + ".bak").toPath(), StandardCopyOption.REPLACE_EXISTING)
        } catch (Exception e) {
            LOGGER.log(Level.WARNING, "Failed to load the queue file " + file(), e)
        }
    }

    static File file() {
        return new File(Jenkins.get().getRootDir(), "queue.json")
    }
}
