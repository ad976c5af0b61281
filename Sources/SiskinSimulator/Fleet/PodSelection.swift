/// Which pods of a topology get a simulated sidecar.
///
/// Simulating only the pods you scrape keeps big meshes cheap: traffic is still generated
/// for every pod pair that touches a simulated pod, and (because every pod pair draws from
/// its own random stream) a pod's scrape is identical whichever other pods are simulated.
public enum PodSelection: Sendable, Hashable {
    /// Every pod of every workload.
    case all
    /// Every pod of the named workloads.
    case workloads([String])
    /// The named pods.
    case pods([String])
    /// Only the first pod of the named workload.
    case firstPod(ofWorkload: String)

    func includes(_ pod: Pod) -> Bool {
        switch self {
        case .all: true
        case .workloads(let names): names.contains(pod.workloadName)
        case .pods(let names): names.contains(pod.name)
        case .firstPod(let workload): pod.workloadName == workload && pod.index == 0
        }
    }
}
