import ArgumentParser
import Basics
import Foundation
import MarketData
import Portfolio
import Store
import TrainingRecords

/// How `mntrading` and `mntrading-infer` end: one table from what went wrong to the exit code
/// (sysexits.h, as cron and systemd read them), so that a held lock is never "bad flags" and a
/// full disk never a bare 1. Each program's `--help` and the README list the same codes.
public enum ProgramExit {
    /// 64 EX_USAGE: a flag or setting is wrong (also when a stage's own check finds it).
    public static let usage: Int32 = 64
    /// 65 EX_DATAERR: the data cannot be used as asked (too few bars, a bad CSV file).
    public static let dataError: Int32 = 65
    /// 69 EX_UNAVAILABLE: the exchange (or a server) could not be reached after the retries.
    public static let unavailable: Int32 = 69
    /// 74 EX_IOERR: the data directory or the store cannot be read or written.
    public static let ioError: Int32 = 74
    /// 75 EX_TEMPFAIL: another run holds the lock; try again later.
    public static let busy: Int32 = 75
    /// 130: interrupted (SIGINT/SIGTERM) after the unit in progress.
    public static let interrupted: Int32 = 130

    /// The code for an error a command threw; 1 for a failure this table does not name.
    public static func code(for error: Error) -> Int32 {
        switch error {
        case let exit as ExitCode: exit.rawValue
        case let error as ExitCodeProviding: error.exitCode
        case is FileWriteError: ioError
        case let error where DataStore.isStoreFailure(error): ioError
        case is CycleLock.Busy: busy
        case let error as MarketDataError:
            switch error {
            case .invalidArgument: usage
            case .invalidData: dataError
            case .exchange: unavailable
            case .store: ioError
            }
        case let error as TrainingError:
            switch error {
            // Running a stage before the one it reads is a mistake in how the command was used,
            // as documented since the first release.
            case .missingInput: usage
            case .insufficientData: dataError
            case .interrupted: interrupted
            }
        case let error as CocoaError where error.isFileError: ioError
        default: 1
        }
    }

    /// Parses the command line (a last `--check-arguments` stops after every flag has been parsed
    /// and validated: how the ops API holds a task's settings to the command's own rules), runs
    /// the command, and exits with `code(for:)`; an error is one line on stderr.
    public static func main<Root: ParsableCommand>(_ root: Root.Type, name: String) async -> Never {
        var arguments = Array(CommandLine.arguments.dropFirst())
        let checkOnly = arguments.last == "--check-arguments"
        if checkOnly { arguments.removeLast() }
        var command: ParsableCommand
        do {
            command = try Root.parseAsRoot(arguments)
        } catch {
            Root.exit(withError: error)
        }
        if checkOnly { Foundation.exit(0) }
        do {
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch let error as CleanExit {
            Root.exit(withError: error)
        } catch let error as ValidationError {
            Root.exit(withError: error)
        } catch {
            let code = code(for: error)
            // ArgumentParser's own (help, version, completion scripts) and failures this table
            // does not name end as ArgumentParser ends them.
            guard code != 1 else { Root.exit(withError: error) }
            FileHandle.standardError.write(Data("\(name): error: \(FlagNames.message(error))\n".utf8))
            Foundation.exit(code)
        }
    }
}

/// Runs a library's own check of the settings inside a command's `validate()`: whatever it
/// refuses is a usage error (64, with its message), as the flags' own checks are, and is found
/// before any stage runs.
public func asUsageError<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ValidationError {
        throw error
    } catch {
        throw ValidationError(FlagNames.message(error))
    }
}
