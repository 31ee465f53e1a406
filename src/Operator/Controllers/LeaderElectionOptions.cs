namespace EksHardening.Operator.Controllers;

/// <summary>How replicas elect the one that reconciles: on a Lease, with this replica's identity.</summary>
public sealed class LeaderElectionOptions
{
    /// <summary>False: this replica leads at once, alone (one replica only).</summary>
    public bool Enabled { get; set; } = true;
    public string LeaseNamespace { get; set; } = "eks-hardening-system";
    public string LeaseName { get; set; } = "eks-hardening-operator";
    /// <summary>How long a lease lasts without renewal; renewal and retry periods derive from it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>This replica's name in the Lease.</summary>
    public string Identity { get; set; } = Environment.MachineName;
}
