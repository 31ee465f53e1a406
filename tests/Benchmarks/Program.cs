using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Benchmarks -- [BenchmarkDotNet args, e.g. --filter '*']
BenchmarkSwitcher.FromAssembly(typeof(EksHardening.Benchmarks.RuleEngineBenchmarks).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
