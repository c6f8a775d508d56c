/// The label picker shown before a workload Sidecar: which of the pod's labels go into the workloadSelector.
public struct LabelPickerState: Hashable, Sendable {
    /// The pod's namespace.
    public var namespace: String
    /// The pod.
    public var podName: String
    /// The pod's labels, `app` first, then by key.
    public var labels: [LabelPair]
    /// Keys chosen.
    public var chosen: Set<String>
    /// The row the cursor is on.
    public var cursor: Int

    /// Makes a picker.
    public init(namespace: String, podName: String, labels: [LabelPair], chosen: Set<String>, cursor: Int = 0) {
        self.namespace = namespace
        self.podName = podName
        self.labels = labels
        self.chosen = chosen
        self.cursor = cursor
    }

    /// The chosen labels as a selector.
    public var selector: [String: String] {
        var result: [String: String] = [:]
        for pair in labels where chosen.contains(pair.key) { result[pair.key] = pair.value }
        return result
    }
}

/// A label `key=value`.
public struct LabelPair: Hashable, Sendable {
    /// The key.
    public var key: String
    /// The value.
    public var value: String

    /// Makes a pair.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
