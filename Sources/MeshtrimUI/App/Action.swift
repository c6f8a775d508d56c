import MeshtrimCore

/// Something that happened: a key, a resize, a mouse event, or a result posted back by background work.
public enum Action: Hashable, Sendable {
    /// A key press.
    case key(Key)
    /// The terminal is now `width` × `height`.
    case resize(width: Int, height: Int)
    /// A mouse event (wheel scrolls, click selects).
    case mouse(MouseEvent)
    /// A timer scheduled with ``Effect/scheduleTick(id:milliseconds:)`` fired.
    case tick(id: Int)
    /// Loading made progress.
    case loadProgress(String)
    /// The mesh loaded and was analysed.
    case loaded(MeshData)
    /// Loading failed.
    case loadFailed(String)
    /// A file was written at `path` (absolute).
    case fileWritten(path: String)
    /// Writing was refused because `path` exists and overwriting was not confirmed.
    case fileExists(path: String)
    /// Writing failed.
    case fileWriteFailed(message: String, path: String)
    /// The same source was read again (a live cluster's refresh): screens keep their place, numbers update.
    case refreshed(MeshData)
    /// A line for the person from background work (a refresh's summary, the kubeconfig's contexts).
    case notice(String)
    /// A live source's report on how fresh its figures are (the last read, a failed refresh, failed sidecars),
    /// with the time it was made: the reducer's clock.
    case liveStatus(LiveStatus)
    /// A live source's answer to ``Effect/fetchClusterNames(_:)``: the pod's actual cluster names, or why not.
    case clusterNamesArrived(PodKey, ClusterNamesStatus)
    /// The cluster answered ``Effect/checkApply(_:)``: RBAC, diff against the live object, dry-run, pods.
    case applyChecked(ApplyCheck)
    /// ``Effect/apply(_:)`` succeeded.
    case applied(ApplyResult)
    /// ``Effect/apply(_:)`` (or its check) was refused; nothing changed.
    case applyFailed(ApplyDocument, ApplyFailure)

    /// The action for a terminal event.
    public init(_ event: TerminalEvent) {
        switch event {
        case .key(let key): self = .key(key)
        case .resize(let width, let height): self = .resize(width: width, height: height)
        case .mouse(let mouse): self = .mouse(mouse)
        }
    }
}

/// I/O the reducer asks for; the executable's effect runner performs it and posts the outcome as an ``Action``.
public enum Effect: Hashable, Sendable {
    /// Write `contents` to `path` atomically (temp file + rename); with `overwrite == false` an existing file is
    /// left alone and ``Action/fileExists(path:)`` comes back.
    case writeFile(path: String, contents: String, overwrite: Bool)
    /// Post ``Action/tick(id:)`` after `milliseconds` (flash expiry).
    case scheduleTick(id: Int, milliseconds: Int)
    /// Stop: restore the terminal and exit.
    case quit
    /// Read the source again (`ctrl-r`; a live cluster also refreshes on its own).
    case refresh
    /// `:ctx`: list the kubeconfig's contexts (`nil`) or switch to one.
    case switchContext(String?)
    /// A live source observes these sidecars first (visible rows and the selection); file sources ignore it.
    case observe(ObservationDemand)
    /// A live source reads this pod's actual cluster names (port-forward to Envoy admin) and answers with
    /// ``Action/clusterNamesArrived(_:_:)``.
    case fetchClusterNames(PodKey)
    /// Check applying a Sidecar to the live cluster without changing anything (RBAC, the live object, a
    /// server-side dry-run, the pods it selects); answers with ``Action/applyChecked(_:)``.
    case checkApply(ApplyDocument)
    /// Server-side apply the Sidecar (field manager `meshtrim`); answers ``Action/applied(_:)`` or
    /// ``Action/applyFailed(_:_:)``.
    case apply(ApplyDocument)
    /// Write the plan as a directory at `path` (`wave-N/*.yaml`, `kustomization.yaml`, `PLAN.md`) through the one
    /// atomic writer, never into a non-empty directory; answers ``Action/fileWritten(path:)`` or
    /// ``Action/fileWriteFailed(message:path:)``.
    case writePlan(MeshPlan, path: String)
}
