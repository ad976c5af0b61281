/// Application protocol of an HTTP-level edge, printed as `request_protocol`.
/// gRPC matters because it also fills `grpc_response_status`.
public enum RequestProtocol: String, Sendable, Hashable, CaseIterable {
    case http
    case grpc
}
