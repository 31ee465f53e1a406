namespace EksHardening.TestServers;

/// <summary>
/// The Kestrel host of the test servers (the API emulator, the AWS stub): plain HTTP on 127.0.0.1 with a port chosen
/// by the OS, one request delegate, no host logging.
/// </summary>
/// <param name="maxRequestBodySize">Larger bodies are refused with 413 before the delegate sees them.</param>
public sealed class LoopbackHttpServer(long maxRequestBodySize) : IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>Starts serving <paramref name="handler"/> and returns the base address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public async Task<Uri> StartAsync(RequestDelegate handler, CancellationToken cancellationToken)
    {
        if (_app is not null) throw new InvalidOperationException("the server is already started");

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = maxRequestBodySize;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First());
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Shutdown took too long; disposing below aborts what is left.
            }

            await app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
