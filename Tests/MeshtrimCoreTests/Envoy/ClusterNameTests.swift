import Testing

@testable import MeshtrimCore

/// Istio's cluster naming (`BuildSubsetKey` / `ParseSubsetKey`) and istioctl's special-name rule.
@Suite("ClusterName")
struct ClusterNameTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var form: ClusterName.Form
        var direction: String
        var port: Int
        var subset: String
        var host: String
        var istioctlSpecial: Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "outbound|9080||reviews.default.svc.cluster.local", form: .subsetKey, direction: "outbound",
             port: 9080, subset: "", host: "reviews.default.svc.cluster.local", istioctlSpecial: false),
        Case(name: "outbound|9080|v2|reviews.default.svc.cluster.local", form: .subsetKey, direction: "outbound",
             port: 9080, subset: "v2", host: "reviews.default.svc.cluster.local", istioctlSpecial: false),
        Case(name: "inbound|8080||", form: .subsetKey, direction: "inbound", port: 8080, subset: "", host: "",
             istioctlSpecial: false),
        Case(name: "inbound-vip|8000|http|httpbin.default.svc.cluster.local", form: .subsetKey,
             direction: "inbound-vip", port: 8000, subset: "http", host: "httpbin.default.svc.cluster.local",
             istioctlSpecial: false),
        Case(name: "outbound_.9080_.v2_.reviews.default.svc.cluster.local", form: .dnsSRV, direction: "outbound",
             port: 9080, subset: "v2", host: "reviews.default.svc.cluster.local", istioctlSpecial: true),
        Case(name: "inbound_.8080_._.", form: .dnsSRV, direction: "inbound", port: 8080, subset: "", host: "",
             istioctlSpecial: true),
        Case(name: "BlackHoleCluster", form: .special, direction: "", port: 0, subset: "", host: "",
             istioctlSpecial: true),
        Case(name: "a|b|c", form: .special, direction: "", port: 0, subset: "", host: "", istioctlSpecial: true),
        Case(name: "a|b|c|d", form: .subsetKey, direction: "a", port: 0, subset: "c", host: "d",
             istioctlSpecial: false),
        // Go's Cut leaves the host empty when the remainder still has a separator.
        Case(name: "outbound|80|v1|host|extra", form: .subsetKey, direction: "outbound", port: 80, subset: "v1",
             host: "", istioctlSpecial: false),
        Case(name: "outbound_.80_.v1_.a_.b", form: .dnsSRV, direction: "outbound", port: 80, subset: "v1", host: "",
             istioctlSpecial: true),
        // strconv.Atoi: signs accepted, junk is 0, overflow clamps.
        Case(name: "outbound|+80||h", form: .subsetKey, direction: "outbound", port: 80, subset: "", host: "h",
             istioctlSpecial: false),
        Case(name: "outbound|-1||h", form: .subsetKey, direction: "outbound", port: -1, subset: "", host: "h",
             istioctlSpecial: false),
        Case(name: "outbound|8o||h", form: .subsetKey, direction: "outbound", port: 0, subset: "", host: "h",
             istioctlSpecial: false),
        Case(name: "outbound|||h", form: .subsetKey, direction: "outbound", port: 0, subset: "", host: "h",
             istioctlSpecial: false),
        Case(name: "outbound|99999999999999999999||h", form: .subsetKey, direction: "outbound", port: Int.max,
             subset: "", host: "h", istioctlSpecial: false),
        Case(name: "", form: .special, direction: "", port: 0, subset: "", host: "", istioctlSpecial: true),
    ]

    @Test("parsing", arguments: cases)
    func parse(_ expected: Case) {
        let name = ClusterName(expected.name)
        #expect(name.form == expected.form)
        #expect(name.direction == expected.direction)
        #expect(name.port == expected.port)
        #expect(name.subset == expected.subset)
        #expect(name.host == expected.host)
        #expect(name.isSpecial == (expected.form == .special))
        #expect(ClusterName.isIstioctlSubsetKey(expected.name) == !expected.istioctlSpecial)
        #expect(IstioctlClusterRow(name: expected.name, type: "EDS").isSpecial == expected.istioctlSpecial)
        #expect(name.description == expected.name)
    }

    @Test("Go's Atoi limits")
    func atoi() {
        #expect(ClusterName.goAtoi(Array("9223372036854775807".utf8)[...]) == Int.max)
        #expect(ClusterName.goAtoi(Array("9223372036854775808".utf8)[...]) == Int.max)
        #expect(ClusterName.goAtoi(Array("-9223372036854775808".utf8)[...]) == Int.min)
        #expect(ClusterName.goAtoi(Array("-9223372036854775809".utf8)[...]) == Int.min)
        #expect(ClusterName.goAtoi(Array("-".utf8)[...]) == 0)
        #expect(ClusterName.goAtoi(Array("1_000".utf8)[...]) == 0)
        #expect(ClusterName.goAtoi(Array(" 1".utf8)[...]) == 0)
    }
}
