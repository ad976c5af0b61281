/// The agent's version, sent as User-Agent and in every summary's metadata.
public enum AgentVersion {
    public static let current = "0.1.0"
}
