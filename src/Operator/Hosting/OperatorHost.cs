using EksHardening.Operator.Admission;
using EksHardening.Operator.Aws;
using EksHardening.Operator.Controllers;
using EksHardening.Operator.Controllers.Evaluation;
using EksHardening.Operator.Controllers.Events;
using EksHardening.Operator.Controllers.Remediation;
using EksHardening.Operator.Controllers.Reports;
using EksHardening.Operator.Controllers.Status;
using EksHardening.Operator.Facts;
using EksHardening.Operator.Kubernetes;
using EksHardening.Operator.Reporting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Metrics;

namespace EksHardening.Operator.Hosting;

/// <summary>
/// Composes the operator: the Kubernetes client, the shared informers, the policy controller under leader
/// election, the event sender, the health endpoints, and (unless <c>--webhook-port 0</c>) the admission webhook
/// with its certificates, on Microsoft.Extensions.Hosting.
/// </summary>
public static class OperatorHost
{
    /// <param name="clientConfiguration">Loaded from the options when not given; loading it first lets callers report a bad kubeconfig.</param>
    public static WebApplication Build(OperatorOptions options, Action<ILoggingBuilder>? configureLogging = null, TimeProvider? clock = null,
        KubernetesClientConfiguration? clientConfiguration = null)
    {
        clientConfiguration ??= ClientConfiguration(options);
        // The settings come from the command line: no watch on appsettings files, which would watch the working
        // directory and everything under it (inotify watches and a managed entry per directory) for the process's life.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "eks-hardening", Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        var webhook = options.Webhook;
        var servingCertificate = webhook.Port != 0 ? new ServingCertificateHolder() : null;
        // The slim builder's Kestrel core: the webhook's TLS is set up in code, so neither the HTTPS configuration
        // binding nor HTTP/3 (QUIC) of the full UseKestrel is loaded.
        // Kestrel reads its listeners from the validated options when the server starts, after the checks on start.
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<ListenerOptions>, IOptions<WebhookOptions>>((kestrel, listeners, webhookOptions) =>
        {
            var ports = listeners.Value;
            kestrel.ListenAnyIP(ports.HealthPort);
            if (ports.MetricsPort != ports.HealthPort || ports.MetricsPort == 0) kestrel.ListenAnyIP(ports.MetricsPort);
            if (servingCertificate is not null) kestrel.ListenAnyIP(ports.WebhookPort, listen => listen.UseWebhookTls(servingCertificate));
            kestrel.ApplyLimits(webhookOptions.Value);
        });
        builder.Logging.ClearProviders();
        if (configureLogging is null)
        {
            OperatorLogging.AddConsole(builder.Logging, options.LogFormat);
            // The host's own report of a failed service carries the stack trace; the run command logs one line instead.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        }
        else
        {
            configureLogging(builder.Logging);
        }

        var services = builder.Services;
        // A background service that throws stops the host, and the run command exits 1 naming it (FailedServices).
        services.Configure<HostOptions>(host => host.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost);
        AddOptions(services, options);
        services.AddSingleton(clock ?? TimeProvider.System);
        services.AddSingleton<KubernetesApiMetrics>();
        // Every request the client sends passes both handlers: informers, status writes, events, leases, certificates. A
        // 429 or 503 with Retry-After is waited out and sent again; the counting handler inside sees every attempt.
        services.AddSingleton<IKubernetes>(sp => new k8s.Kubernetes(clientConfiguration,
            new RetryAfterHandler(sp.GetRequiredService<TimeProvider>()), sp.GetRequiredService<KubernetesApiMetrics>().CreateHandler()));
        services.AddSingleton(sp => new ClusterInformers(sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<IMeterFactory>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<InformerOptions>>().Value));
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
                return new AwsFactCollector(aws.Ecr, aws.Eks, aws.Iam, aws.Kms, aws.GuardDuty, aws.CloudTrail, aws.Ec2, aws.Ssm, sp.GetRequiredService<TimeProvider>(),
                    new AwsFactCollectorOptions { DefaultRegion = aws.Region });
            });
            // Admission reads only what the collector has cached: no AWS call on the admission path.
            services.AddSingleton<IImageFacts>(sp => new EcrImageFacts(sp.GetRequiredService<AwsFactCollector>()));
        }

        AddPolicyReports(services);
        services.AddSingleton(sp => new PolicyEvaluations(sp.GetRequiredService<ClusterInformers>(), sp.GetRequiredService<SnapshotBuilder>(),
            sp.GetRequiredService<PolicyControllerOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<AwsFactCollector>()));
        AddControllers(services);
        services.AddSingleton<PolicyController>();
        services.AddSingleton<PolicyMetrics>();
        services.AddSingleton<InformerMetrics>();
        services.AddSingleton<ProcessMetrics>();
        AddMetricsExporter(services);
        services.AddHostedService<InformerService>();
        services.AddHostedService(sp => sp.GetRequiredService<PolicyController>());
        if (servingCertificate is not null) AddWebhook(services, webhook, servingCertificate);

        var app = builder.Build();
        // Measurements taken before the exporter's MeterProvider exists are lost, and the instruments must exist before
        // the first scrape: both are created before any hosted service starts.
        app.Services.GetRequiredService<MeterProvider>();
        app.Services.GetRequiredService<PolicyMetrics>();
        app.Services.GetRequiredService<InformerMetrics>();
        app.Services.GetRequiredService<ProcessMetrics>();
        if (servingCertificate is not null) MapWebhook(app, webhook.Port);
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (ClusterInformers informers) =>
        {
            if (!informers.HasSynced)
            {
                return Results.Text("caches not synced: " + string.Join(", ", informers.All.Where(i => !i.HasSynced).Select(i => i.Resource)), statusCode: 503);
            }

            // The webhook Service routes to ready pods only: a replica without a certificate would fail every handshake.
            return servingCertificate is { IsLoaded: false } ? Results.Text("webhook certificate not loaded", statusCode: 503) : Results.Text("ok");
        });
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    /// <summary>
    /// Each folder's options, set from what <c>run</c> was given and checked when the host starts (ValidateOnStart):
    /// a value out of range stops the start with a message naming the flag. Components take the checked value.
    /// </summary>
    internal static void AddOptions(IServiceCollection services, OperatorOptions options)
    {
        services.AddSingleton(options);
        AddChecked<ListenerOptions, ListenerOptionsValidator>(services, o =>
        {
            o.HealthPort = options.HealthPort;
            o.MetricsPort = options.MetricsPort;
            o.WebhookPort = options.Webhook.Port;
        });
        AddChecked<PolicyControllerOptions, PolicyControllerOptionsValidator>(services, o =>
        {
            o.MaxViolations = options.MaxViolations;
            o.DefaultEvaluationInterval = options.EvaluationInterval;
            o.MinStatusWriteInterval = options.StatusWriteInterval;
            o.Workers = options.Workers;
        });
        AddChecked<LeaderElectionOptions, LeaderElectionOptionsValidator>(services, o =>
        {
            o.Enabled = options.LeaderElection;
            o.LeaseNamespace = options.LeaseNamespace;
            o.LeaseName = options.LeaseName;
            o.LeaseDuration = options.LeaseDuration;
            o.Identity = options.Identity;
        });
        AddChecked<PolicyReportOptions, PolicyReportOptionsValidator>(services, o => CopySettings(options.PolicyReports, o));
        AddChecked<WebhookOptions, WebhookOptionsValidator>(services, o => CopySettings(options.Webhook, o));
        AddChecked<InformerOptions, InformerOptionsValidator>(services, _ => { });
    }

    /// <summary>What is wrong with <paramref name="options"/>, by the same checks the host runs on start; empty when nothing is.</summary>
    public static IReadOnlyList<string> Problems(OperatorOptions options)
    {
        var services = new ServiceCollection();
        AddOptions(services, options);
        using var provider = services.BuildServiceProvider();
        try
        {
            provider.GetRequiredService<IStartupValidator>().Validate();
            return [];
        }
        catch (OptionsValidationException e)
        {
            return [.. e.Failures];
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            return [.. e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures)];
        }
    }

    /// <summary>The background services that ended by throwing, by type name, with their errors (after the host stopped).</summary>
    public static IReadOnlyList<(string Service, Exception Error)> FailedServices(IHost host) =>
    [
        .. host.Services.GetServices<IHostedService>().OfType<BackgroundService>()
            .Where(s => s.ExecuteTask is { IsFaulted: true })
            .Select(s => (s.GetType().Name, (Exception)s.ExecuteTask!.Exception!.InnerExceptions[0])),
    ];

    /// <summary>Options <typeparamref name="T"/> configured by <paramref name="configure"/>, checked on start, and its checked value for constructors that take it.</summary>
    private static void AddChecked<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TValidator>(IServiceCollection services, Action<T> configure)
        where T : class
        where TValidator : class, IValidateOptions<T>
    {
        services.AddOptions<T>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, TValidator>());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
    }

    /// <summary>Every settable property of <paramref name="source"/> onto <paramref name="target"/>: a setting added later is carried too.</summary>
    private static void CopySettings<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(T source, T target) where T : class
    {
        foreach (var property in typeof(T).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
                     .Where(p => p is { CanRead: true, CanWrite: true } && p.SetMethod!.IsPublic))
        {
            property.SetValue(target, property.GetValue(source));
        }
    }

    /// <summary>Discovery and the informers over the operator's own reports, the writes, and their counters.</summary>
    private static void AddPolicyReports(IServiceCollection services)
    {
        services.AddSingleton<PolicyReportMetrics>();
        services.AddSingleton(sp => PolicyReportSources.Of(sp.GetRequiredService<IKubernetes>()));
        services.AddSingleton(sp => new PolicyReportCaches(sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<PolicyReportSources>(),
            sp.GetRequiredService<PolicyReportOptions>(), sp.GetRequiredService<PolicyReportMetrics>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<InformerOptions>()));
        services.AddSingleton<PolicyReportWrites>();
    }

    /// <summary>The leader's controllers, one per concern, each with its own queue; the policy controller runs them while leading.</summary>
    private static void AddControllers(IServiceCollection services)
    {
        services.AddSingleton(sp => new ControllerMetrics(sp.GetRequiredService<IMeterFactory>(), "policy", serveUnlabelled: false));
        services.AddSingleton<RemediationOutcomes>();
        services.AddSingleton<StatusController>();
        services.AddSingleton<RemediationController>();
        services.AddSingleton<PolicyReportController>();
        services.AddSingleton<ViolationEventController>();
        services.AddSingleton<QueuedController>(sp => sp.GetRequiredService<StatusController>());
        services.AddSingleton<QueuedController>(sp => sp.GetRequiredService<RemediationController>());
        services.AddSingleton<QueuedController>(sp => sp.GetRequiredService<PolicyReportController>());
        services.AddSingleton<QueuedController>(sp => sp.GetRequiredService<ViolationEventController>());
    }

    /// <summary>Every instrument of this host's meters, exported on <c>/metrics</c> under the names it was created with.</summary>
    private static void AddMetricsExporter(IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ControllerMetrics.MeterName, AwsCallCounters.MeterName, AdmissionMetrics.MeterName, ViolationEvents.MeterName, PolicyMetrics.MeterName,
                ProcessMetrics.MeterName)
            .AddPrometheusExporter(exporter =>
            {
                // No otel_scope_* labels and no target_info family: the names, labels and families are the README's.
                exporter.ScopeInfoEnabled = false;
                exporter.TargetInfoEnabled = false;
                // Every scrape reads the instruments afresh (the default serves a cached answer for 300 ms).
                exporter.ScrapeResponseCacheDurationMilliseconds = 0;
            }));
        services.ConfigureOpenTelemetryMeterProvider((sp, provider) =>
        {
            var own = sp.GetRequiredService<IMeterFactory>();
            provider.AddView(instrument => StreamOf(instrument, own));
        });
    }

    /// <summary>
    /// The one view of the exporter. AddMeter matches meters by name across the process, so another host in it (the
    /// integration tests run several) would be exported here too: only the meters of this host's own factory are kept.
    /// This must be a single view: every view that matches adds a stream of its own and a Drop only removes its own,
    /// so a second view by instrument name would export the other hosts' instruments of that name, merged with ours.
    /// </summary>
    internal static MetricStreamConfiguration? StreamOf(Instrument instrument, IMeterFactory own)
    {
        if (instrument.Meter.Scope is not null && !ReferenceEquals(instrument.Meter.Scope, own)) return MetricStreamConfiguration.Drop;
        return MetricSeriesLimits.Of(instrument.Name) is { } limit ? new MetricStreamConfiguration { CardinalityLimit = limit } : null;
    }

    /// <summary>The decision, the endpoint, the cache-backed context, and the certificate source (own CA or mounted files).</summary>
    private static void AddWebhook(IServiceCollection services, WebhookOptions webhook, ServingCertificateHolder servingCertificate)
    {
        services.AddSingleton(servingCertificate);
        // The AWS layer registers its ECR cache first when it is on; without it every image's scan is unknown.
        services.TryAddSingleton<IImageFacts>(NoImageFacts.Instance);
        services.AddSingleton<InformerAdmissionContext>();
        services.AddSingleton<IAdmissionContext>(sp => sp.GetRequiredService<InformerAdmissionContext>());
        services.AddSingleton(sp => new AdmissionDecider(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AdmissionMetrics>();
        services.AddSingleton<AdmissionEndpoint>();
        if (webhook.CertificateDirectory is not null)
        {
            services.AddSingleton<MountedCertificate>();
            services.AddHostedService(sp => sp.GetRequiredService<MountedCertificate>());
        }
        else
        {
            services.AddSingleton<WebhookCertificates>();
            services.AddHostedService(sp => sp.GetRequiredService<WebhookCertificates>());
        }
    }

    /// <summary>POST /validate on the webhook port only; the webhook port serves nothing else.</summary>
    private static void MapWebhook(WebApplication app, int port)
    {
        // Its informer handlers must be registered before the informers start.
        app.Services.GetRequiredService<InformerAdmissionContext>();
        app.Use(async (context, next) =>
        {
            var onWebhookPort = context.Connection.LocalPort == port;
            var isWebhookPath = context.Request.Path.Equals(AdmissionEndpoint.Path, StringComparison.Ordinal);
            if (onWebhookPort != isWebhookPath)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        app.MapPost(AdmissionEndpoint.Path, (HttpContext context, AdmissionEndpoint endpoint) => endpoint.HandleAsync(context));
    }

    /// <summary>An explicit kubeconfig wins; else the in-cluster service account; else the default kubeconfig.</summary>
    public static KubernetesClientConfiguration ClientConfiguration(OperatorOptions options)
    {
        if (options.Kubeconfig is null && KubernetesClientConfiguration.IsInCluster()) return KubernetesClientConfiguration.InClusterConfig();
        return KubeconfigFile.Load(options.Kubeconfig, options.Context);
    }

    /// <summary>Runs the shared informers for the life of the process; they feed every replica's caches.</summary>
    private sealed class InformerService(ClusterInformers informers) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => informers.RunAsync(stoppingToken);
    }
}
