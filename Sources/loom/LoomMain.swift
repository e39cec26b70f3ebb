import LoomCommands

/// The executable is a doorway: every command lives in LoomCommands, where tests run them in process.
@main
enum LoomMain {
    static func main() async {
        Loom.bootstrapLogging()
        await Loom.main()
    }
}
