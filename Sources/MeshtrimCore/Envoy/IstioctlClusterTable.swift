/// `istioctl proxy-config clusters` output, byte for byte: istioctl's sort, its filters, its Go tabwriter table
/// (`minwidth 0, tabwidth 8, padding 5, ' '`), and `-o json`.
///
/// Rows are sorted by (FQDN, subset, port, direction), a special name counting as its own FQDN, so `inbound|…||`
/// rows (empty FQDN) come first, then uppercase special names, then hostnames in byte order. The sort is stable
/// (input order breaks ties; Go's `sort.Slice` leaves ties unspecified, and only odd names can tie).
public struct IstioctlClusterTable: Hashable, Sendable {
    /// Which istioctl command's table to print.
    public enum Layout: Hashable, Sendable {
        /// `istioctl proxy-config clusters`: `SERVICE FQDN  PORT  SUBSET  DIRECTION  TYPE  DESTINATION RULE`.
        case clusters
        /// `istioctl proxy-config all`: a leading `NAME` column holding `cluster/<name>`; special rows also show
        /// `cluster/<name>` as their SERVICE FQDN, as istioctl does.
        case all
    }

    /// Which rows to keep.
    public var filter: ClusterFilter
    /// Which table to print.
    public var layout: Layout

    /// Makes a table printer.
    public init(filter: ClusterFilter = ClusterFilter(), layout: Layout = .clusters) {
        self.filter = filter
        self.layout = layout
    }

    /// Sorts anything with a cluster name in istioctl's order. O(n log n) with each key computed once.
    public static func sorted<Element>(_ elements: [Element], name: (Element) -> String) -> [Element] {
        let keyed = elements.enumerated().map { entry in
            (offset: entry.offset, key: IstioctlClusterRow(name: name(entry.element), type: "").sortKey)
        }
        let order = keyed.sorted { lhs, rhs in
            if lhs.key != rhs.key { return lhs.key < rhs.key }
            return lhs.offset < rhs.offset
        }
        return order.map { elements[$0.offset] }
    }

    /// The table for clusters read from a config dump, ending in a newline.
    public func render(_ clusters: [EnvoyCluster]) -> String {
        render(rows: clusters.map(IstioctlClusterRow.init))
    }

    /// The rows of a config dump: as istioctl prints them, except that a dump masked to cluster names
    /// (``EnvoyConfigDump/isMaskedToNames``) shows ``unknownCell`` for TYPE and DESTINATION RULE instead of
    /// istioctl's STATIC and empty, which the dump cannot tell.
    public static func rows(of dump: EnvoyConfigDump) -> [IstioctlClusterRow] {
        guard dump.isMaskedToNames else { return dump.clusters.map(IstioctlClusterRow.init) }
        return dump.clusters.map { IstioctlClusterRow(name: $0.name, type: unknownCell, destinationRule: unknownCell) }
    }

    /// What a cell shows when the dump does not have the information.
    public static let unknownCell = "<unknown>"

    /// The table for predicted clusters, as istioctl would print them once the proxy has them.
    public func render(_ clusters: [PredictedCluster]) -> String {
        render(rows: clusters.map(IstioctlClusterRow.init))
    }

    /// The table for any rows: sorted, filtered, aligned; the header is printed even when no row is left.
    public func render(rows: [IstioctlClusterRow]) -> String {
        render(rows: rows, whyColumn: nil)
    }

    /// The table, with a last `WHY` column when `whyColumn` gives each row's text (``render(rows:reasons:)``).
    func render(rows: [IstioctlClusterRow], whyColumn: ((IstioctlClusterRow) -> String)?) -> String {
        var text = layout == .all ? "NAME\t" : ""
        text += "SERVICE FQDN\tPORT\tSUBSET\tDIRECTION\tTYPE\tDESTINATION RULE" + (whyColumn == nil ? "\n" : "\tWHY\n")
        for row in Self.sorted(rows, name: \.name) where filter.matches(row.name) {
            var cells = row.cells
            if layout == .all {
                let prefixed = "cluster/" + row.name
                if row.isSpecial { cells[0] = prefixed }
                cells.insert(prefixed, at: 0)
            }
            if let whyColumn { cells.append(whyColumn(row)) }
            text += cells.joined(separator: "\t")
            text += "\n"
        }
        return GoTabWriter.istioctl.format(text)
    }

    /// `-o json`: the kept clusters, sorted, as a JSON array printed like Go's `json.MarshalIndent` with four-space
    /// indentation, ending in a newline (`[]` when none is kept).
    ///
    /// Each element is the cluster object as Envoy dumped it, minus its `@type`. istioctl re-encodes the protobuf
    /// instead, so its keys are lowerCamelCase in field-number order; names and values are the same.
    public func renderJSON(_ clusters: [EnvoyCluster]) -> String {
        let kept = Self.sorted(clusters, name: \.name).filter { filter.matches($0.name) }
        return OrderedJSON.array(kept.map { $0.json.removingMember("@type") }).formatted(indent: "    ") + "\n"
    }
}
