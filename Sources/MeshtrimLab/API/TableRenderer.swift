import Foundation
import MeshtrimCore

/// Server-side printing: the `meta.k8s.io/v1` `Table` kubectl asks for with `Accept: …;as=Table;…`.
///
/// Columns match the API server's for namespaces, pods, services and ConfigMaps; Istio's CRDs define no printer
/// columns, so they show Name and Age as on a real cluster.
enum TableRenderer {
    /// Whether an `Accept` header asks for a Table.
    static func wantsTable(accept: String) -> Bool {
        accept.contains("as=Table")
    }

    /// The Table for a page of objects.
    static func table(resource: LabResource, page: LabStore.Page, now: Date = Date()) -> JSONValue {
        let columns = columns(for: resource)
        let rows: [JSONValue] = page.items.map { object in
            [
                "cells": .array(cells(for: resource, object: object, now: now)),
                "object": [
                    "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                    "metadata": object["metadata"] ?? [:],
                ],
            ]
        }
        var metadata: [String: JSONValue] = ["resourceVersion": .string(String(page.resourceVersion))]
        if let token = page.continueToken { metadata["continue"] = .string(token) }
        if let remaining = page.remainingItemCount { metadata["remainingItemCount"] = .int(remaining) }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": .object(metadata),
            "columnDefinitions": .array(columns.map { column in
                [
                    "name": .string(column.name), "type": .string(column.type), "format": .string(column.name == "Name" ? "name" : ""),
                    "description": .string(column.name), "priority": .int(column.priority),
                ]
            }),
            "rows": .array(rows),
        ]
    }

    private static func columns(for resource: LabResource) -> [(name: String, type: String, priority: Int)] {
        switch resource {
        case .namespaces: return [("Name", "string", 0), ("Status", "string", 0), ("Age", "string", 0)]
        case .pods:
            return [
                ("Name", "string", 0), ("Ready", "string", 0), ("Status", "string", 0), ("Restarts", "string", 0),
                ("Age", "string", 0), ("IP", "string", 1), ("Node", "string", 1),
            ]
        case .services:
            return [
                ("Name", "string", 0), ("Type", "string", 0), ("Cluster-IP", "string", 0), ("External-IP", "string", 0),
                ("Port(s)", "string", 0), ("Age", "string", 0), ("Selector", "string", 1),
            ]
        case .configMaps: return [("Name", "string", 0), ("Data", "integer", 0), ("Age", "string", 0)]
        default: return [("Name", "string", 0), ("Age", "string", 0)]
        }
    }

    private static func cells(for resource: LabResource, object: JSONValue, now: Date) -> [JSONValue] {
        let name = JSONValue.string(object.value(at: "metadata.name")?.stringValue ?? "")
        let age = JSONValue.string(age(of: object, now: now))
        switch resource {
        case .namespaces:
            return [name, .string(object.value(at: "status.phase")?.stringValue ?? "Active"), age]
        case .pods:
            let statuses = object.value(at: "status.containerStatuses")?.arrayValue ?? []
            let ready = statuses.filter { $0["ready"]?.boolValue == true }.count
            let restarts = statuses.reduce(0) { $0 + ($1["restartCount"]?.intValue ?? 0) }
            return [
                name, .string("\(ready)/\(statuses.count)"), .string(object.value(at: "status.phase")?.stringValue ?? "Unknown"),
                .string(String(restarts)), age, .string(object.value(at: "status.podIP")?.stringValue ?? "<none>"),
                .string(object.value(at: "spec.nodeName")?.stringValue ?? "<none>"),
            ]
        case .services:
            let ports = (object.value(at: "spec.ports")?.arrayValue ?? []).map { port in
                "\(port["port"]?.intValue ?? 0)/\(port["protocol"]?.stringValue ?? "TCP")"
            }
            let selector = (object.value(at: "spec.selector")?.stringMap ?? [:]).sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let type = object.value(at: "spec.type")?.stringValue ?? "ClusterIP"
            return [
                name, .string(type), .string(object.value(at: "spec.clusterIP")?.stringValue ?? "<none>"),
                .string(object.value(at: "spec.externalName")?.stringValue ?? "<none>"),
                .string(ports.isEmpty ? "<none>" : ports.joined(separator: ",")), age,
                .string(selector.isEmpty ? "<none>" : selector),
            ]
        case .configMaps:
            return [name, .int(object["data"]?.objectValue?.count ?? 0), age]
        default:
            return [name, age]
        }
    }

    private static func age(of object: JSONValue, now: Date) -> String {
        guard let text = object.value(at: "metadata.creationTimestamp")?.stringValue,
            let created = ISO8601DateFormatter().date(from: text)
        else { return "<unknown>" }
        return humanDuration(now.timeIntervalSince(created))
    }

    /// Kubernetes' `duration.HumanDuration`: `25s`, `4m12s`, `47m`, `5h3m`, `2d4h`, `120d`, `3y2d`.
    static func humanDuration(_ interval: TimeInterval) -> String {
        let seconds = Int(max(0, interval))
        if seconds < 60 * 2 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let rest = seconds % 60
            return rest == 0 ? "\(minutes)m" : "\(minutes)m\(rest)s"
        }
        if minutes < 60 * 3 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 {
            let rest = minutes % 60
            return rest == 0 ? "\(hours)h" : "\(hours)h\(rest)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let rest = hours % 24
            return rest == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(rest)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = (hours / 24) % 365
            return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
        }
        return "\(hours / 24 / 365)y"
    }
}
