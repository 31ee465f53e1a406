# syntax=docker/dockerfile:1
# The operator image, for linux/amd64 and linux/arm64: the native (NativeAOT) eks-hardening on the chiseled
# runtime-deps image (no .NET runtime, no shell, no package manager), as a non-root numeric user; works with a
# read-only root filesystem.
# The SDK stage runs on the build machine's own platform and cross-compiles for the target architecture
# (`-a $TARGETARCH`, .NET's documented cross-compilation: the target's linker and zlib come from Ubuntu's archive):
# no emulation runs the compiler, and only the runtime stage is of the target platform. CI runs the same
# scripts/publish-native and runs the binary; .github/workflows/release.yml builds and pushes both platforms.

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0-noble-aot AS build
ARG TARGETARCH
WORKDIR /src
COPY scripts/native-cross-toolchain scripts/publish-native scripts/
RUN scripts/native-cross-toolchain "$TARGETARCH"
# The project files first, so that the restore layer is reused while only the sources change.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Entities/EksHardening.Entities.csproj src/Entities/
COPY src/Operator/EksHardening.Operator.csproj src/Operator/
RUN dotnet restore src/Operator/EksHardening.Operator.csproj -a "$TARGETARCH"
COPY src/ src/
COPY config/ config/
COPY deploy/examples/ deploy/examples/
# Fails on any trimming or AOT warning not listed, with its reason, in src/Operator/NativeAotWarnings.txt.
RUN scripts/publish-native -a "$TARGETARCH" --no-restore -o /app

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled
WORKDIR /app
# The binary only: the .dbg symbols stay in the build stage.
COPY --from=build /app/eks-hardening ./
# 65532: a numeric non-root user, so that runAsNonRoot can be verified by the kubelet.
USER 65532:65532
EXPOSE 8080 8081 9443
ENTRYPOINT ["/app/eks-hardening"]
CMD ["run"]
