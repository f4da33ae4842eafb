package hudson.tasks

/**
 * Mirrors core/src/main/java/hudson/tasks/Shell.java: runs the command as a script with
 * "SHELL -xe" (or the interpreter named by a leading #! line). The double's configured
 * shell is bash (Jenkins' default is sh; both are a global setting of Shell).
 */
class Shell extends CommandInterpreter {
    static final String SHELL = "bash"

    Shell(String command) {
        super(command.replace("\r\n", "\n"))
    }

    @Override
    String[] buildCommandLine(File script) {
        if (command.startsWith("#!")) {
            int end = command.indexOf('\n')
            if (end < 0) {
                end = command.length()
            }
            List<String> args = new ArrayList<String>(Arrays.asList(command.substring(2, end).trim().split("\\s+")))
            args.add(script.getPath())
            return args.toArray(new String[args.size()])
        }
        return [SHELL, "-xe", script.getPath()] as String[]
    }

    @Override
    protected String getContents() {
        return command
    }

    @Override
    protected String getFileExtension() {
        return ".sh"
    }

    @Override
    String getDisplayName() {
        return "Execute shell"
    }
}
