"""One module per ``gearman-jenkins`` subcommand (see ``controller.cli``)."""
