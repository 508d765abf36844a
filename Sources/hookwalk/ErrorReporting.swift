import ArgumentParser
import Foundation
import HookwalkModel

/// Runs a subcommand's work and turns a `HookwalkError` into `hookwalk: <description>` on stderr and
/// exit code 2: the user sees one line naming the file and place, never a stack trace. Usage
/// errors are one line and exit 2 as well (`Hookwalk.main`).
///
/// Other errors pass through unchanged.
/// The body should return its output rather than print it, so that nothing reaches stdout unless
/// the whole command succeeded; see `writeToStandardOutput`.
func runReportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as HookwalkError {
        writeToStandardError("hookwalk: \(error.description)\n")
        throw ExitCode(2)
    }
}

func writeToStandardError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

/// Writes a command's complete output in one go, ending it with exactly one newline.
func writeToStandardOutput(_ text: String) {
    FileHandle.standardOutput.write(Data((text.hasSuffix("\n") || text.isEmpty ? text : text + "\n").utf8))
}
