namespace EksHardening.TestServers.Tests;

public sealed class LoopbackHttpServerTests
{
    private static readonly RequestDelegate Echo = async context =>
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync($"{context.Request.Method} {context.Request.Path} {body.Length}");
    };

    [Fact]
    public async Task Serves_the_delegate_over_plain_http_on_a_loopback_port_the_OS_chose()
    {
        await using var server = new LoopbackHttpServer(maxRequestBodySize: 1024);
        var address = await server.StartAsync(Echo, CancellationToken.None);

        Assert.Equal("http", address.Scheme);
        Assert.Equal(IPAddress.Loopback, IPAddress.Parse(address.Host));
        Assert.NotEqual(0, address.Port);

        using var client = new HttpClient { BaseAddress = address };
        using var response = await client.PostAsync(new Uri("/some/path", UriKind.Relative), new StringContent("hello"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("POST /some/path 5", await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("Server"), "the host adds no Server header");
    }

    [Fact]
    public async Task Two_servers_listen_on_different_ports()
    {
        await using var first = new LoopbackHttpServer(1024);
        await using var second = new LoopbackHttpServer(1024);
        var a = await first.StartAsync(Echo, CancellationToken.None);
        var b = await second.StartAsync(Echo, CancellationToken.None);
        Assert.NotEqual(a.Port, b.Port);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_before_the_delegate_reads_it()
    {
        await using var server = new LoopbackHttpServer(maxRequestBodySize: 16);
        var address = await server.StartAsync(Echo, CancellationToken.None);
        using var client = new HttpClient { BaseAddress = address };

        using var small = await client.PostAsync(new Uri("/", UriKind.Relative), new StringContent(new string('a', 16)));
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);

        using var large = await client.PostAsync(new Uri("/", UriKind.Relative), new StringContent(new string('a', 17)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
    }

    [Fact]
    public async Task Starting_twice_is_refused()
    {
        await using var server = new LoopbackHttpServer(1024);
        await server.StartAsync(Echo, CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => server.StartAsync(Echo, CancellationToken.None));
    }

    [Fact]
    public async Task Disposing_stops_listening()
    {
        var server = new LoopbackHttpServer(1024);
        var address = await server.StartAsync(Echo, CancellationToken.None);
        await server.DisposeAsync();

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(() => socket.ConnectAsync(IPAddress.Loopback, address.Port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        await server.DisposeAsync();   // a second dispose is harmless
    }

    [Fact]
    public async Task Disposing_a_server_that_never_started_is_harmless()
    {
        var server = new LoopbackHttpServer(1024);
        await server.DisposeAsync();
    }
}
