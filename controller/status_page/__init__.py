"""The controller's status page, served on the metrics listener (README, "Status page").

    dispatcher.snapshot() --+
                            +--> document.status_document() --> /status.json
    GearmanQueuePoller -----+                                 --> render: /  and  /status.html
    (a thread: admin `status`)                                     (status.js swaps /status.html in every 2 s)

``site`` gives the routes; nothing here changes the controller's state.
"""
