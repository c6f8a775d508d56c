import Foundation
import MeshtrimCore
import MeshtrimKube
import MeshtrimProcess
import MeshtrimUI
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Performs the reducer's effects off the UI thread and posts the outcome back to the inbox.
///
/// Writes are atomic (a temporary file in the same directory, then `link`/`rename`), never replace an existing
/// file unless the person confirmed, and turn every failure (missing or read-only directory, a file where a
/// directory should be) into an ``Action/fileWriteFailed(message:path:)`` with a message a person can act on.
final class EffectRunner: Sendable {
    private let inbox: Inbox
    private let writtenPaths = Mutex<[String]>([])
    /// The live cluster's controller (refresh, `:ctx`); `nil` for file sources.
    private let live: LiveController?

    /// The UI's observation demands, newest only, sent to the live controller in order by one task.
    private let demands: AsyncStream<ObservationDemand>.Continuation

    /// Makes a runner that posts to `inbox`.
    init(inbox: Inbox, live: LiveController? = nil) {
        self.inbox = inbox
        self.live = live
        let (stream, continuation) = AsyncStream.makeStream(of: ObservationDemand.self, bufferingPolicy: .bufferingNewest(1))
        demands = continuation
        if let live {
            Task.detached {
                for await demand in stream {
                    await live.prioritize(
                        selected: demand.selected,
                        visible: demand.visible, namespaces: demand.namespaces)
                }
            }
        } else {
            continuation.finish()
        }
    }

    deinit { demands.finish() }

    /// The files written during the session, in order (printed when meshtrim exits).
    var written: [String] { writtenPaths.withLock { $0 } }

    /// Starts an effect; returns at once (called on the UI thread).
    func perform(_ effect: Effect) {
        switch effect {
        case .writeFile(let path, let contents, let overwrite):
            Task.detached { [self] in
                let action = FileWriter.write(contents, to: path, overwrite: overwrite)
                if case .fileWritten(let written) = action {
                    self.writtenPaths.withLock { paths in
                        if !paths.contains(written) { paths.append(written) }
                    }
                }
                self.inbox.post(action)
            }
        case .writePlan(let plan, let path):
            Task.detached { [inbox] in
                do {
                    inbox.post(.fileWritten(path: try PlanDirectoryWriter.write(plan, to: path, force: false)))
                } catch let error as PlanDirectoryWriter.Failure {
                    inbox.post(
                        .fileWriteFailed(
                            message: error.isNotEmpty ? "the directory is not empty; give a new or empty one" : error.message, path: path))
                } catch {
                    inbox.post(.fileWriteFailed(message: "\(error)", path: path))
                }
            }
        case .scheduleTick(let id, let milliseconds):
            Task.detached { [inbox] in
                try? await Task.sleep(for: .milliseconds(milliseconds))
                inbox.post(.tick(id: id))
            }
        case .quit:
            break
        case .refresh:
            if let live {
                Task.detached { await live.refresh() }
            } else {
                inbox.post(.notice("nothing to refresh: this mesh comes from a file"))
            }
        case .switchContext(let name):
            if let live {
                Task.detached { await live.switchContext(name) }
            } else {
                inbox.post(.notice("contexts are for live clusters: start meshtrim without --demo, --snapshot or --manifests"))
            }
        case .observe(let demand):
            demands.yield(demand)
        case .fetchClusterNames(let pod):
            guard let live else { break }
            Task.detached { [inbox] in
                let result = await live.clusterNames(for: pod)
                inbox.post(.clusterNamesArrived(pod, Self.status(result)))
            }
        case .checkApply(let document):
            Task.detached { [inbox, live] in
                guard let applier = await live?.applier else {
                    inbox.post(.applyFailed(document, ApplyFailure(.other, "not connected to a cluster")))
                    return
                }
                inbox.post(.applyChecked(await applier.check(document)))
            }
        case .apply(let document):
            Task.detached { [inbox, live] in
                guard let applier = await live?.applier else {
                    inbox.post(.applyFailed(document, ApplyFailure(.other, "not connected to a cluster")))
                    return
                }
                do throws(ApplyFailure) {
                    inbox.post(.applied(try await applier.apply(document)))
                } catch {
                    inbox.post(.applyFailed(document, error))
                }
            }
        }
    }
}

extension EffectRunner {
    /// The UI's view of how fresh the live figures are: every time as whole seconds and local `HH:mm:ss` (the
    /// reducer has no clock; the status's own time is its "now").
    static func liveStatus(_ status: LiveReadStatus) -> LiveStatus {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        func time(_ date: Date) -> ReadTime {
            ReadTime(seconds: Int(date.timeIntervalSince1970.rounded(.down)), clock: formatter.string(from: date))
        }
        return LiveStatus(
            now: time(status.at), clusterReadAt: status.clusterReadAt.map(time), refreshFailure: status.refreshFailure,
            failedReads: status.failedReads.mapValues { read in
                FailedRead(message: read.message, failedAt: time(read.failedAt), figuresReadAt: read.figuresReadAt.map(time))
            })
    }

    /// The detail screen's view of a cluster-names fetch: the names with the local time they were read, "not
    /// permitted" for RBAC refusals, or the error in place.
    static func status(_ result: Result<(names: [String], fetchedAt: Date), KubeError>) -> ClusterNamesStatus {
        switch result {
        case .success(let fetched):
            let formatter = DateFormatter()
            formatter.dateFormat = "HH:mm:ss"
            return .actual(ActualClusterNames(names: fetched.names, fetchedAt: formatter.string(from: fetched.fetchedAt)))
        case .failure(let error) where error.kind == .forbidden:
            return .notPermitted(error.message)
        case .failure(let error):
            return .failed(error.message)
        }
    }
}

/// The editor's `w`: ``AtomicFileWriter`` with the path a person typed, its outcome as an ``Action``.
enum FileWriter {
    /// Writes `contents` to `path` (relative paths are from the current directory, `~` is the home directory):
    /// atomically, never over an existing file unless `overwrite` (the person confirmed), and then into what the
    /// path names (a symbolic link's target, keeping its mode and owner; never a directory, device or FIFO).
    ///
    /// - Returns: ``Action/fileWritten(path:)`` with the absolute path, ``Action/fileExists(path:)`` when the file
    ///   exists and `overwrite` is false, or ``Action/fileWriteFailed(message:path:)``.
    static func write(_ contents: String, to path: String, overwrite: Bool) -> Action {
        let absolute = absolutePath(path)
        do {
            try AtomicFileWriter.write(Data(contents.utf8), to: absolute, mode: overwrite ? .overwrite : .createNew)
            return .fileWritten(path: absolute)
        } catch where error.reason == .exists {
            return .fileExists(path: absolute)
        } catch {
            return .fileWriteFailed(message: error.path == absolute ? error.message : error.description, path: absolute)
        }
    }

    /// `path` made absolute: `~/` expanded, relative paths resolved against the current directory, `.`/`..` removed.
    static func absolutePath(_ path: String) -> String {
        var expanded = path
        if expanded == "~" || expanded.hasPrefix("~/") {
            expanded = NSHomeDirectory() + expanded.dropFirst()
        }
        if !expanded.hasPrefix("/") {
            expanded = FileManager.default.currentDirectoryPath + "/" + expanded
        }
        return URL(fileURLWithPath: expanded).standardizedFileURL.path
    }
}
