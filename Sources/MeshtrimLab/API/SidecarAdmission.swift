import Foundation
import MeshtrimCore
import Yams

/// Admission for Sidecars: reads a request body and applies Istio's validating webhook rules.
///
/// The rules are meshtrim's ``SidecarValidator`` (Istio's `ValidateSidecar`), so an invalid host is refused by the
/// lab exactly as `istioctl validate` and the real webhook would refuse it; Istio's warnings pass, as they do on a
/// cluster. Refusals are `422 Invalid` with one `details.causes[]` entry per error.
struct SidecarAdmission {
    /// The Istio version whose rules apply.
    var version: IstioVersion

    /// Parses a body of `contentType` (JSON or YAML) into a JSON object.
    ///
    /// - Throws: ``KubernetesStatus`` 415 for protobuf and other media types, 400 for unreadable bodies.
    static func parseBody(_ data: Data, contentType: String) throws -> JSONValue {
        let media = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let accepted = ["application/json", "application/yaml", "application/apply-patch+yaml", "application/merge-patch+json", ""]
        guard accepted.contains(media) else { throw KubernetesStatus.unsupportedMediaType(contentType) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw KubernetesStatus.badRequest("the request body is not UTF-8 text")
        }
        let value: JSONValue
        if text.drop(while: \.isWhitespace).hasPrefix("{") {
            do { value = try JSONValue.parse(data) } catch { throw KubernetesStatus.badRequest("error decoding the body: \(error)") }
        } else {
            do {
                value = try JSONValue.from(any: try Yams.load(yaml: text))
            } catch {
                throw KubernetesStatus.badRequest("error decoding YAML: \(error)")
            }
        }
        guard case .object = value else { throw KubernetesStatus.badRequest("the request body must be a single object") }
        return value
    }

    /// Checks a Sidecar object for the URL's namespace (and name, for PATCH) and validates it.
    ///
    /// - Parameter validating: run Istio's rules; off for a server-side apply configuration, which may name only
    ///   some fields (the rules then run on the merged object, as the webhook sees it).
    /// - Returns: the object with `metadata.namespace` filled in.
    /// - Throws: ``KubernetesStatus`` 400 for a mismatched kind, namespace or name, 422 for Istio's validation errors.
    func admit(_ object: JSONValue, namespace: String, name: String?, validating: Bool = true) throws -> JSONValue {
        var object = object
        let kind = object["kind"]?.stringValue ?? ""
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        guard kind == "Sidecar", apiVersion.hasPrefix("networking.istio.io/") else {
            throw KubernetesStatus.badRequest(
                "the object is \(kind.isEmpty ? "missing kind" : kind) \(apiVersion), expected kind Sidecar, apiVersion networking.istio.io/v1")
        }
        if let given = object.value(at: "metadata.namespace")?.stringValue, !given.isEmpty, given != namespace {
            throw KubernetesStatus.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        if let name, let given = object.value(at: "metadata.name")?.stringValue, given != name {
            throw KubernetesStatus.badRequest("the name of the object (\(given)) does not match the name on the URL (\(name))")
        }
        if object["metadata"] == nil { object["metadata"] = [:] }
        object["metadata"]?["namespace"] = .string(namespace)
        if let name, object.value(at: "metadata.name") == nil { object["metadata"]?["name"] = .string(name) }
        object["metadata"]?["managedFields"] = nil
        object["status"] = nil
        let objectName = object.value(at: "metadata.name")?.stringValue ?? name ?? ""
        guard validating else { return object }

        let document: SidecarDocument
        do {
            guard let first = try SidecarDocumentReader.read(object.jsonText).sidecars.first else {
                throw KubernetesStatus.badRequest("the body is not a Sidecar")
            }
            document = first
        } catch let error as SidecarDocumentError {
            throw KubernetesStatus.badRequest("error decoding the Sidecar: \(error)")
        }
        let problems =
            document.problems
            + SidecarValidator(version: version).validate(document.sidecar, details: document.details, spec: object["spec"])
        let errors = problems.filter { $0.severity == .error }
        guard errors.isEmpty else {
            let causes = errors.map(Self.cause)
            let summary = causes.map { $0.field.isEmpty ? $0.message : "\($0.field): \($0.message)" }
            let message = "Sidecar.networking.istio.io \"\(objectName)\" is invalid: "
                + (summary.count == 1 ? summary[0] : "[" + summary.joined(separator: ", ") + "]")
            throw KubernetesStatus(
                code: 422, reason: "Invalid", message: message, name: objectName, group: "networking.istio.io", kind: "Sidecar",
                causes: causes)
        }
        return object
    }

    /// A Status cause for one problem: the field path and Kubernetes' `Invalid value: "x": why` wording.
    static func cause(_ problem: SidecarProblem) -> KubernetesStatus.Cause {
        switch problem.location {
        case .sidecar:
            return .init(reason: "FieldValueInvalid", message: "Invalid value: \(problem.message)", field: "spec")
        case .egressHost(let listener, let index, let host):
            return .init(
                reason: "FieldValueInvalid", message: "Invalid value: \(quoted(host)): \(problem.message)",
                field: "spec.egress[\(listener)].hosts[\(index)]")
        default:
            return .init(reason: "FieldValueInvalid", message: "Invalid value: \(problem.message)", field: problem.location.description)
        }
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
