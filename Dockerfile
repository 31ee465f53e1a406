# syntax=docker/dockerfile:1
# The operator image, for linux/amd64 and linux/arm64: published with the SDK, run on the chiseled ASP.NET runtime
# (no shell, no package manager) as a non-root numeric user; works with a read-only root filesystem.
# The SDK stage runs on the build machine's own platform and cross-publishes for the target architecture
# (`-a $TARGETARCH`, .NET's documented multi-platform pattern): no emulation runs the compiler, and only the
# runtime stage is of the target platform. CI runs the same `dotnet publish` as below and checks that
# `eks-hardening version` starts; .github/workflows/release.yml builds and pushes both platforms.

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src
# The project files first, so that the restore layer is reused while only the sources change.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Entities/EksHardening.Entities.csproj src/Entities/
COPY src/Operator/EksHardening.Operator.csproj src/Operator/
RUN dotnet restore src/Operator/EksHardening.Operator.csproj -a "$TARGETARCH"
COPY src/ src/
COPY config/ config/
COPY deploy/examples/ deploy/examples/
RUN dotnet publish src/Operator/EksHardening.Operator.csproj -c Release -a "$TARGETARCH" --no-restore -o /app \
      -p:UseAppHost=false -p:GenerateDocumentationFile=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled
WORKDIR /app
COPY --from=build /app ./
# No diagnostics IPC files: nothing needs to be written to the root filesystem. The base image's
# ASPNETCORE_HTTP_PORTS=8080 is cleared: the operator binds its ports from its flags, and Kestrel would
# otherwise warn at every start that it overrides that setting.
ENV DOTNET_EnableDiagnostics=0 \
    DOTNET_gcServer=0 \
    ASPNETCORE_HTTP_PORTS=
# 65532: a numeric non-root user, so that runAsNonRoot can be verified by the kubelet.
USER 65532:65532
EXPOSE 8080 8081 9443
ENTRYPOINT ["dotnet", "/app/eks-hardening.dll"]
CMD ["run"]
