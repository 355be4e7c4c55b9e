/// An error that knows the exit code its program ends with (a module's own table, like the
/// inference cycle's), which `ProgramExit` uses before its general one.
public protocol ExitCodeProviding: Error {
    var exitCode: Int32 { get }
}
