namespace EksHardening.Operator.FaultTests.Support;

/// <summary>Whether every workload that fails rules now has the Event that names exactly those rules.</summary>
internal static class ViolationEventCheck
{
    /// <returns>The workloads (<c>Kind namespace/name: rules</c>) whose current violation has no Event.</returns>
    public static List<string> Missing(OperatorTestbed bed, string policyName)
    {
        var policy = bed.Policy(policyName) ?? throw new InvalidOperationException($"policy {policyName} not found");
        var evaluation = bed.ExpectedEvaluation(policyName);
        var events = bed.Emulator.List<Corev1Event>();
        var missing = new List<string>();
        foreach (var resource in evaluation.Resources)
        {
            if (resource.Resource.Namespace is null) continue;
            var failing = resource.Findings.Where(f => f.Result == FindingResult.Fail).Select(f => f.Rule.Id).Distinct().Order(StringComparer.Ordinal).ToList();
            if (failing.Count == 0) continue;
            var message = $"ResponsibilityPolicy {policyName}: {failing.Count} rule(s) fail: {string.Join(", ", failing)}";
            var found = events.Any(e => e.InvolvedObject?.Kind == resource.Resource.Kind && e.InvolvedObject.Name == resource.Resource.Name
                && e.InvolvedObject.NamespaceProperty == resource.Resource.Namespace && e.Message == message);
            if (!found) missing.Add($"{resource.Resource.Kind} {resource.Resource.Namespace}/{resource.Resource.Name}: {string.Join(",", failing)}");
        }

        return missing;
    }
}
