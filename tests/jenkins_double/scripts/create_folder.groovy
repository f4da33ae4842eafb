// Creates a folder and any missing folders above it ("a/b/c"), the way one would on a real
// Jenkins with the Folders plugin; existing folders are kept. Data (JSON, base64): path.
// Prints the innermost folder's URL. Jenkins APIs: Jenkins.createProject, Folder.createProject,
// ItemGroup.getItem.
import com.cloudbees.hudson.plugins.folder.Folder
import hudson.model.ItemGroup
import jenkins.model.Jenkins

def data = new groovy.json.JsonSlurper().parseText(new String(Base64.decoder.decode('@@DATA@@'), 'UTF-8'))
def parent = Jenkins.get()
for (String name : data.path.split('/')) {
    def item = parent.getItem(name)
    if (item == null) {
        item = parent.createProject(Folder, name)
    } else if (!(item instanceof ItemGroup)) {
        throw new IllegalArgumentException(item.fullName + ' exists and is not a folder')
    }
    parent = item
}
println parent.url
