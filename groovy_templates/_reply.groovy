{#-
  Prints the framed reply: one line, the marker, this call's nonce, then
  JSON. Anything else the script console prints (other output, the
  "Result:" line) cannot be mistaken for it.
-#}
println('{{ reply_marker }} ' + payload.nonce + ' ' + groovy.json.JsonOutput.toJson(reply))
