using EksHardening.Operator.Aws;
using EksHardening.Operator.Controllers;
using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Reporting;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EksHardening.Operator.Hosting;

/// <summary>
/// Composes the operator: the Kubernetes client, the shared informers, the policy controller under leader
/// election, the event sender, and the health endpoints, on Microsoft.Extensions.Hosting.
/// </summary>
public static class OperatorHost
{
    /// <param name="clientConfiguration">Loaded from the options when not given; loading it first lets callers report a bad kubeconfig.</param>
    public static WebApplication Build(OperatorOptions options, Action<ILoggingBuilder>? configureLogging = null, TimeProvider? clock = null,
        KubernetesClientConfiguration? clientConfiguration = null)
    {
        clientConfiguration ??= ClientConfiguration(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "eks-hardening" });
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.ListenAnyIP(options.HealthPort);
            if (options.MetricsPort != options.HealthPort || options.MetricsPort == 0) kestrel.ListenAnyIP(options.MetricsPort);
        });
        builder.Logging.ClearProviders();
        if (configureLogging is null) builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        else configureLogging(builder.Logging);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(clock ?? TimeProvider.System);
        services.AddSingleton<IKubernetes>(_ => new k8s.Kubernetes(clientConfiguration));
        services.AddSingleton(sp => new ClusterInformers(sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SnapshotBuilder>();
        services.AddSingleton<IPolicyStatusWriter, PolicyStatusWriter>();
        services.AddSingleton<ViolationEvents>();
        services.AddSingleton<Remediator>();
        if (options.Aws)
        {
            services.AddAwsClients(new AwsClientOptions { Region = options.AwsRegion });
            services.AddSingleton(sp =>
            {
                var aws = sp.GetRequiredService<AwsClients>();
                return new AwsFactCollector(aws.Ecr, aws.Eks, aws.Iam, aws.Kms, sp.GetRequiredService<TimeProvider>(),
                    new AwsFactCollectorOptions { DefaultRegion = aws.Region });
            });
        }

        services.AddSingleton(new PolicyControllerOptions { MaxViolations = options.MaxViolations, DefaultEvaluationInterval = options.EvaluationInterval });
        services.AddSingleton(sp => new PolicyReconciler(
            sp.GetRequiredService<ClusterInformers>(), sp.GetRequiredService<SnapshotBuilder>(), sp.GetRequiredService<IPolicyStatusWriter>(),
            sp.GetRequiredService<ViolationEvents>(), sp.GetRequiredService<Remediator>(), sp.GetRequiredService<PolicyControllerOptions>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PolicyReconciler>>(), sp.GetService<AwsFactCollector>()));
        services.AddSingleton<PolicyController>();
        services.AddSingleton<OperatorMetrics>();
        services.AddHostedService<InformerService>();
        services.AddHostedService(sp => sp.GetRequiredService<PolicyController>());

        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (ClusterInformers informers) => informers.HasSynced
            ? Results.Text("ok")
            : Results.Text("caches not synced: " + string.Join(", ", informers.All.Where(i => !i.HasSynced).Select(i => i.Resource)), statusCode: 503));
        app.MapGet("/metrics", (OperatorMetrics metrics) => Results.Text(metrics.Render(), OperatorMetrics.ContentType));
        return app;
    }

    /// <summary>An explicit kubeconfig wins; else the in-cluster service account; else the default kubeconfig.</summary>
    public static KubernetesClientConfiguration ClientConfiguration(OperatorOptions options)
    {
        if (options.Kubeconfig is null && KubernetesClientConfiguration.IsInCluster()) return KubernetesClientConfiguration.InClusterConfig();
        return KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig, options.Context);
    }

    /// <summary>Runs the shared informers for the life of the process; they feed every replica's caches.</summary>
    private sealed class InformerService(ClusterInformers informers) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => informers.RunAsync(stoppingToken);
    }
}
