{#-
  Included first by every script: decodes the call's data.

  Data never becomes Groovy source: the controller sends base64 of UTF-8
  JSON, split into single-quoted literals shorter than the JVM's 64 KiB
  limit for one string constant, and this line decodes it.
-#}
def payload = new groovy.json.JsonSlurper().parseText(new String(java.util.Base64.getDecoder().decode([{% for chunk in payload_chunks %}'{{ chunk }}',{% endfor %}].join('')), 'UTF-8'))
