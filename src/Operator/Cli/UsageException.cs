namespace EksHardening.Operator.Cli;

/// <summary>A command line the user got wrong: shown as one line with a pointer to --help, exit 2.</summary>
public sealed class UsageException(string message) : Exception(message);
