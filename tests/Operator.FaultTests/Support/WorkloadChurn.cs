namespace EksHardening.Operator.FaultTests.Support;

/// <summary>
/// Changes the mixed cluster of <see cref="MixedWorkloads"/> while faults are injected: pods come and go, pod
/// templates flip between compliant and not, a namespace gains and loses its PSA label. The changes go through the
/// emulator's direct API, so they happen whatever the faults do to the operator's requests.
/// </summary>
internal static class WorkloadChurn
{
    private static readonly string[] Namespaces = ["prod-a", "prod-b", "dev"];

    /// <returns>How many changes were made.</returns>
    public static async Task<int> RunAsync(ApiServerEmulator emulator, TimeSpan duration, TimeSpan interval, int seed)
    {
        var random = new Random(seed);
        var deadline = DateTime.UtcNow + duration;
        var changes = 0;
        var next = 0;
        while (DateTime.UtcNow < deadline)
        {
            Change(emulator, random, ref next);
            changes++;
            await Task.Delay(interval);
        }

        return changes;
    }

    private static void Change(ApiServerEmulator emulator, Random random, ref int next)
    {
        switch (random.Next(4))
        {
            case 0:
            {
                var i = next++;
                emulator.Seed(new V1Pod
                {
                    ApiVersion = "v1",
                    Kind = "Pod",
                    Metadata = new V1ObjectMeta { Name = $"churn-{i}", NamespaceProperty = Namespaces[random.Next(Namespaces.Length)], Labels = new Dictionary<string, string> { ["app"] = $"churn-{i}" } },
                    Spec = MixedWorkloads.PodSpec(random.Next(2) == 0, i),
                });
                break;
            }

            case 1:
            {
                var pods = emulator.List<V1Pod>().Where(p => p.Metadata.Name.StartsWith("churn-", StringComparison.Ordinal)).ToList();
                if (pods.Count > 0)
                {
                    var victim = pods[random.Next(pods.Count)];
                    emulator.Delete<V1Pod>(victim.Metadata.NamespaceProperty, victim.Metadata.Name);
                }

                break;
            }

            case 2:
            {
                var deployments = emulator.List<V1Deployment>();
                var deployment = deployments[random.Next(deployments.Count)];
                deployment.ApiVersion = "apps/v1";
                deployment.Kind = "Deployment";
                deployment.Spec.Template.Spec = MixedWorkloads.PodSpec(random.Next(2) == 0, random.Next(100));
                emulator.Seed(deployment);
                break;
            }

            default:
            {
                var ns = emulator.Get<V1Namespace>("prod-b")!;
                ns.ApiVersion = "v1";
                ns.Kind = "Namespace";
                const string Label = "pod-security.kubernetes.io/enforce";
                if (!ns.Metadata.Labels.Remove(Label)) ns.Metadata.Labels[Label] = "restricted";
                emulator.Seed(ns);
                break;
            }
        }
    }
}
