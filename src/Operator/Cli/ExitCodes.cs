namespace EksHardening.Operator.Cli;

/// <summary>The process exit codes of every command.</summary>
public static class ExitCodes
{
    /// <summary>Done: a scan with nothing failing at or above <c>--fail-on</c>; <c>run</c> stopped on request (SIGTERM).</summary>
    public const int Success = 0;

    /// <summary>A scan found failures at or above <c>--fail-on</c>; <c>run</c> stopped because a part of it failed.</summary>
    public const int Failure = 1;

    /// <summary>A usage or input error: a bad flag, value, variable, kubeconfig or manifest, named in one line.</summary>
    public const int Usage = 2;
}
