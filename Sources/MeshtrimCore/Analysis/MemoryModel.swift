/// Estimates Envoy's allocated memory from its cluster count: bytes ≈ base + perCluster × clusters.
///
/// Fitted by least squares on this mesh's own observed sidecars when there are enough distinct points;
/// otherwise the figures measured on Envoy 1.40 with Istio's stats matcher (docs/memory-model.md). Every estimate
/// carries its basis so the UI can say what it rests on.
public struct MemoryModel: Hashable, Sendable {
    /// Where the coefficients came from.
    public enum Basis: Hashable, Sendable, CustomStringConvertible {
        /// Fitted on this many observed proxies.
        case fitted(proxies: Int)
        /// The measured table (Envoy 1.40, one-endpoint clusters, Istio stats matcher).
        case measuredTable

        /// A short phrase for the UI: `fit on 1,529 proxies`, `measured table`.
        public var description: String {
            switch self {
            case .fitted(let proxies): return "fit on \(CountFormat.thousands(proxies)) proxies"
            case .measuredTable: return "Envoy 1.40 measured table"
            }
        }
    }

    /// Bytes an Envoy with no clusters allocates.
    public var baseBytes: Double
    /// Bytes each additional cluster costs.
    public var bytesPerCluster: Double
    /// Where the numbers came from.
    public var basis: Basis

    /// Makes a model.
    public init(baseBytes: Double, bytesPerCluster: Double, basis: Basis) {
        self.baseBytes = baseBytes
        self.bytesPerCluster = bytesPerCluster
        self.basis = basis
    }

    /// The measured fallback: 6.5 MB at 10 clusters, 145 MB at 5,000 (Istio's default stats matcher).
    public static let measured: MemoryModel = {
        let perCluster = (145.0 - 6.5) * 1_000_000 / (5_000 - 10)
        return MemoryModel(baseBytes: 6.5 * 1_000_000 - 10 * perCluster, bytesPerCluster: perCluster, basis: .measuredTable)
    }()

    /// Fits on (active clusters, allocated bytes) points; falls back to ``measured`` with fewer than
    /// `minimumPoints` points, fewer than 3 distinct cluster counts, or a non-positive slope.
    public static func fit(_ points: [(clusters: Int, bytes: Int)], minimumPoints: Int = 8) -> MemoryModel {
        guard points.count >= minimumPoints, Set(points.map(\.clusters)).count >= 3 else { return measured }
        let n = Double(points.count)
        let meanX = points.reduce(0.0) { $0 + Double($1.clusters) } / n
        let meanY = points.reduce(0.0) { $0 + Double($1.bytes) } / n
        var covariance = 0.0
        var variance = 0.0
        for point in points {
            let dx = Double(point.clusters) - meanX
            covariance += dx * (Double(point.bytes) - meanY)
            variance += dx * dx
        }
        guard variance > 0 else { return measured }
        let slope = covariance / variance
        guard slope > 0 else { return measured }
        return MemoryModel(baseBytes: max(0, meanY - slope * meanX), bytesPerCluster: slope, basis: .fitted(proxies: points.count))
    }

    /// Fits on the observations that report both allocated memory and active clusters.
    public static func fit(observations: [ProxyObservation]) -> MemoryModel {
        fit(observations.compactMap { observation in
            guard let clusters = observation.activeClusters, let bytes = observation.envoyAllocatedBytes else { return nil }
            return (clusters, bytes)
        })
    }

    /// What estimates rest on, for people: `fit on 312 proxies (base 5.2Mi, 28Ki per cluster)`, or
    /// `Envoy 1.40 measured table` when the mesh had too few observations to fit on.
    ///
    /// - Parameter formatBytes: how to print byte amounts (the UI's `Mi`/`Ki`, a report's own format).
    public func summary(formatBytes: (Int) -> String) -> String {
        switch basis {
        case .fitted:
            return "\(basis) (base \(formatBytes(Int(baseBytes.rounded()))), "
                + "\(formatBytes(Int(bytesPerCluster.rounded()))) per cluster)"
        case .measuredTable:
            return basis.description
        }
    }

    /// Estimated allocated bytes for `clusters` clusters.
    public func estimatedBytes(clusters: Int) -> Int {
        Int((baseBytes + bytesPerCluster * Double(max(0, clusters))).rounded())
    }

    /// Estimated change when going from `before` to `after` clusters on one proxy whose allocation was `observed`
    /// (uses the observation as the anchor when there is one).
    public func estimatedBytes(after: Int, before: Int, observed: Int?) -> Int {
        guard let observed else { return estimatedBytes(clusters: after) }
        return max(Int(baseBytes.rounded()), observed - Int((bytesPerCluster * Double(before - after)).rounded()))
    }
}
