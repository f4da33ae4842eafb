// Sets Jenkins' default quiet period (seconds). Data (JSON, base64): seconds.
// Jenkins API: Jenkins.setQuietPeriod.
def data = new groovy.json.JsonSlurper().parseText(new String(Base64.decoder.decode('@@DATA@@'), 'UTF-8'))
jenkins.model.Jenkins.get().setQuietPeriod(data.seconds as Integer)
println data.seconds
