import Foundation
import LoomCommands

/// The executable is a doorway: every command lives in LoomCommands, where
/// tests run them in process through the same `Loom.run`.
@main
enum LoomMain {
    static func main() async {
        Loom.bootstrapLogging()
        exit(await Loom.run(Array(CommandLine.arguments.dropFirst())))
    }
}
