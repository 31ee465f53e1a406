namespace EksHardening.ApiEmulator.Semantics;

/// <summary>
/// The API server's write and read rules on top of the store: metadata the server owns, resourceVersion
/// preconditions, generation, status isolation, finalizers, namespace and CRD lifecycles, garbage collection.
/// Every method takes the store gate for its whole read-modify-write.
/// </summary>
internal sealed class ResourceOperations : IDependentWriter
{
    private readonly ObjectStore _store;
    private readonly ResourceCatalog _catalog;
    private readonly TimeProvider _time;
    private readonly GarbageCollector _collector;
    private readonly Random _random;

    public ResourceOperations(ObjectStore store, ResourceCatalog catalog, TimeProvider time, int randomSeed)
    {
        _store = store;
        _catalog = catalog;
        _time = time;
        _random = new Random(randomSeed);
        _collector = new GarbageCollector(store);
    }

    /// <summary>Whether creating a namespaced object through the API requires its namespace to exist.</summary>
    public bool RequireNamespace { get; init; } = true;

    public StoredObject Get(ResourceType type, string? ns, string name)
    {
        lock (_store.Gate)
        {
            return _store.Find(type.GroupResource, ns, name) ?? throw ApiStatusException.NotFound(type, name);
        }
    }

    public StoredObject? Find(ResourceType type, string? ns, string name)
    {
        lock (_store.Gate)
        {
            return _store.Find(type.GroupResource, ns, name);
        }
    }

    public int Count(ResourceType type, string? ns)
    {
        lock (_store.Gate)
        {
            var table = _store.Table(type.GroupResource);
            return string.IsNullOrEmpty(ns) ? table.Count : table.Scan(ns, null).Count();
        }
    }

    public ListResult List(ResourceType type, ListRequest request)
    {
        lock (_store.Gate)
        {
            var revision = _store.Revision;
            string? after = null;
            if (!string.IsNullOrEmpty(request.Continue))
            {
                if (!string.IsNullOrEmpty(request.ResourceVersion) && request.ResourceVersion != "0")
                {
                    throw ApiStatusException.BadRequest("specifying resource version is not allowed when using continue");
                }

                (revision, after) = ContinueToken.Decode(request.Continue);
                if (_store.History.IsExpired(revision))
                {
                    throw ApiStatusException.Expired(
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
                }
            }
            else if (!string.IsNullOrEmpty(request.ResourceVersion) && !long.TryParse(request.ResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                throw ApiStatusException.BadRequest($"invalid resource version: {request.ResourceVersion}");
            }

            var table = _store.Table(type.GroupResource);
            var ns = type.Namespaced ? request.Namespace ?? request.Fields.ExactNamespace : null;
            IEnumerable<StoredObject> candidates;
            if (request.Fields.ExactName is { } exactName && (ns is not null || !type.Namespaced))
            {
                var hit = table.Get(ObjectKeys.Of(ns, exactName));
                candidates = hit is not null && (after is null || string.CompareOrdinal(hit.Key, after) > 0) ? [hit] : [];
            }
            else
            {
                candidates = table.Scan(ns, after);
            }

            var items = new List<StoredObject>();
            string? next = null;
            foreach (var obj in candidates)
            {
                if (!request.Labels.Matches(obj.Labels) || !request.Fields.Matches(obj))
                {
                    continue;
                }

                if (request.Limit > 0 && items.Count == request.Limit)
                {
                    next = ContinueToken.Encode(revision, items[^1].Key);
                    break;
                }

                items.Add(obj);
            }

            return new ListResult(items, revision, next);
        }
    }

    public StoredObject Create(ResourceType type, string? ns, JsonObject body, bool dryRun)
    {
        lock (_store.Gate)
        {
            var created = CreateLocked(type, ns, body, WriteScope.Main, dryRun);
            // The garbage collector deletes an object whose owners are all gone, also one created after they went
            // (a dangling ownerReference): the create succeeds, and the object is collected (here at once).
            // Only owners this store saw deleted count as gone: tests may name owners that never existed here.
            if (!dryRun && created.OwnerUids.Count > 0 && created.OwnerUids.All(_store.UidWasRemoved))
            {
                DeleteLocked(type, created, DeleteRequest.Default);
            }

            return created;
        }
    }

    public StoredObject Replace(ResourceType type, string? ns, string name, JsonObject body, WriteScope scope, bool dryRun)
    {
        var bodyName = ObjectRules.Text(body["metadata"]?["name"]);
        if (!string.IsNullOrEmpty(bodyName) && bodyName != name)
        {
            throw ApiStatusException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        var bodyNamespace = ObjectRules.Text(body["metadata"]?["namespace"]);
        if (type.Namespaced && !string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != ns)
        {
            throw ApiStatusException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        lock (_store.Gate)
        {
            var current = _store.Find(type.GroupResource, ns, name) ?? throw ApiStatusException.NotFound(type, name);
            return UpdateLocked(type, current, body, scope, requireResourceVersion: type.IsCustom, dryRun);
        }
    }

    /// <summary>Applies a patch of the given media type (without parameters) to the current object.</summary>
    public StoredObject Patch(ResourceType type, string? ns, string name, string mediaType, JsonNode patch, WriteScope scope, bool dryRun)
    {
        lock (_store.Gate)
        {
            var current = _store.Find(type.GroupResource, ns, name);
            if (current is null)
            {
                if (mediaType == PatchMediaTypes.Apply && scope == WriteScope.Main && patch is JsonObject applied)
                {
                    var body = (JsonObject)applied.DeepClone();
                    ObjectRules.Metadata(body)["name"] = name;
                    return CreateLocked(type, ns, body, WriteScope.Main, dryRun);
                }

                throw ApiStatusException.NotFound(type, name);
            }

            JsonNode? patched;
            try
            {
                patched = mediaType switch
                {
                    PatchMediaTypes.Merge or PatchMediaTypes.Apply => MergePatch.Apply(current.ToNode(), patch),
                    PatchMediaTypes.Json => JsonPatch.Apply(current.ToNode(),
                        patch as JsonArray ?? throw ApiStatusException.BadRequest("json patch must be a JSON array of operations")),
                    PatchMediaTypes.Strategic when type.IsCustom => throw new ApiStatusException(415, "UnsupportedMediaType",
                        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"),
                    PatchMediaTypes.Strategic => StrategicMergePatch.Apply(current.ToNode(), patch),
                    _ => throw new ApiStatusException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - {mediaType}"),
                };
            }
            catch (PatchException e)
            {
                throw new ApiStatusException(422, "Invalid", e.Message);
            }

            if (patched is not JsonObject patchedObject)
            {
                throw new ApiStatusException(422, "Invalid", "the patch did not produce an object");
            }

            return UpdateLocked(type, current, patchedObject, scope, requireResourceVersion: false, dryRun);
        }
    }

    public DeleteResult Delete(ResourceType type, string? ns, string name, DeleteRequest request)
    {
        lock (_store.Gate)
        {
            var current = _store.Find(type.GroupResource, ns, name) ?? throw ApiStatusException.NotFound(type, name);
            return DeleteLocked(type, current, request);
        }
    }

    public IReadOnlyList<DeleteResult> DeleteCollection(ResourceType type, ListRequest scope, DeleteRequest request)
    {
        lock (_store.Gate)
        {
            var victims = List(type, scope with { Limit = 0, Continue = null }).Items;
            var results = new List<DeleteResult>();
            foreach (var victim in victims)
            {
                if (_store.Table(type.GroupResource).Get(victim.Key) is { } current)
                {
                    results.Add(DeleteLocked(type, current, request));
                }
            }

            return results;
        }
    }

    /// <summary>Creates or replaces an object as a test fixture: status and server fields are taken as given.</summary>
    public StoredObject Seed(ResourceType type, JsonObject obj)
    {
        lock (_store.Gate)
        {
            var metadata = ObjectRules.Metadata(obj);
            string? ns = null;
            if (type.Namespaced)
            {
                ns = ObjectRules.Text(metadata["namespace"]);
                if (string.IsNullOrEmpty(ns))
                {
                    ns = "default";
                }
            }

            var name = ObjectRules.Text(metadata["name"]);
            var current = string.IsNullOrEmpty(name) ? null : _store.Find(type.GroupResource, ns, name);
            return current is null
                ? CreateLocked(type, ns, obj, WriteScope.Seed, dryRun: false)
                : UpdateLocked(type, current, obj, WriteScope.Seed, requireResourceVersion: false, dryRun: false);
        }
    }

    void IDependentWriter.DeleteDependent(GroupResource resource, StoredObject dependent) =>
        DeleteLocked(TypeOf(resource, dependent), dependent, DeleteRequest.Default);

    void IDependentWriter.RemoveOwnerReference(GroupResource resource, StoredObject dependent, string ownerUid)
    {
        var node = dependent.ToNode();
        var metadata = ObjectRules.Metadata(node);
        if (metadata["ownerReferences"] is JsonArray references)
        {
            foreach (var reference in references.OfType<JsonObject>().Where(r => ObjectRules.Text(r["uid"]) == ownerUid).ToList())
            {
                references.Remove(reference);
            }

            if (references.Count == 0)
            {
                metadata.Remove("ownerReferences");
            }
        }

        UpdateLocked(TypeOf(resource, dependent), dependent, node, WriteScope.Main, requireResourceVersion: false, dryRun: false);
    }

    private StoredObject CreateLocked(ResourceType type, string? ns, JsonObject obj, WriteScope scope, bool dryRun)
    {
        CheckTypeMeta(type, obj);
        var metadata = ObjectRules.Metadata(obj);
        if (type.Namespaced)
        {
            var bodyNamespace = ObjectRules.Text(metadata["namespace"]);
            if (!string.IsNullOrEmpty(ns) && !string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != ns)
            {
                throw ApiStatusException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            ns = string.IsNullOrEmpty(ns) ? bodyNamespace : ns;
            if (string.IsNullOrEmpty(ns))
            {
                throw ApiStatusException.BadRequest("the namespace of the object is not set");
            }

            metadata["namespace"] = ns;
        }
        else
        {
            ns = null;
            metadata.Remove("namespace");
        }

        var name = ObjectRules.Text(metadata["name"]);
        if (string.IsNullOrEmpty(name))
        {
            var prefix = ObjectRules.Text(metadata["generateName"]);
            if (string.IsNullOrEmpty(prefix))
            {
                throw ApiStatusException.Invalid(type, "", "metadata.name", "Required value: name or generateName is required", "FieldValueRequired");
            }

            do
            {
                name = ObjectRules.GenerateName(prefix, _random);
            }
            while (_store.Find(type.GroupResource, ns, name) is not null);

            metadata["name"] = name;
        }

        if (ObjectRules.NameError(type, name) is { } nameError)
        {
            throw ApiStatusException.Invalid(type, name, "metadata.name", $"Invalid value: \"{name}\": {nameError}");
        }

        if (type.Namespaced && scope != WriteScope.Seed && RequireNamespace)
        {
            var owningNamespace = _store.Find(BuiltInResources.Namespaces.GroupResource, null, ns!)
                ?? throw ApiStatusException.NamespaceNotFound(ns!);
            if (owningNamespace.IsDeleting)
            {
                throw new ApiStatusException(403, "Forbidden",
                    $"{type.Plural} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated");
            }
        }

        if (_store.Find(type.GroupResource, ns, name) is not null)
        {
            throw ApiStatusException.AlreadyExists(type, name);
        }

        var now = ObjectRules.Timestamp(_time);
        if (scope != WriteScope.Seed || string.IsNullOrEmpty(ObjectRules.Text(metadata["uid"])))
        {
            metadata["uid"] = Guid.NewGuid().ToString();
        }

        if (scope != WriteScope.Seed || string.IsNullOrEmpty(ObjectRules.Text(metadata["creationTimestamp"])))
        {
            metadata["creationTimestamp"] = now;
        }

        metadata.Remove("selfLink");
        if (scope != WriteScope.Seed)
        {
            metadata.Remove("deletionTimestamp");
            metadata.Remove("deletionGracePeriodSeconds");
        }

        if (type.HasGeneration)
        {
            if (scope != WriteScope.Seed || metadata["generation"] is null)
            {
                metadata["generation"] = 1;
            }
        }
        else
        {
            metadata.Remove("generation");
        }

        if (scope != WriteScope.Seed && type.HasStatusSubresource)
        {
            obj.Remove("status");
            if (!type.IsCustom)
            {
                obj["status"] = InitialStatus(type);
            }
        }

        if (type == BuiltInResources.CustomResourceDefinitions)
        {
            ValidateCrd(obj, name);
            obj["status"] = CustomResourceDefinitions.AcceptedStatus(obj, now);
        }

        return Commit(type, obj, current: null, removing: false, dryRun);
    }

    private StoredObject UpdateLocked(ResourceType type, StoredObject current, JsonObject desired, WriteScope scope, bool requireResourceVersion, bool dryRun)
    {
        CheckTypeMeta(type, desired);
        var desiredMetadata = ObjectRules.Metadata(desired);
        var currentNode = current.ToNode();
        var currentVersion = current.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        if (scope != WriteScope.Seed)
        {
            var resourceVersion = ObjectRules.Text(desiredMetadata["resourceVersion"]);
            if (!string.IsNullOrEmpty(resourceVersion))
            {
                if (resourceVersion != currentVersion)
                {
                    throw ApiStatusException.StaleResourceVersion(type, current.Name);
                }
            }
            else if (requireResourceVersion)
            {
                throw ApiStatusException.Invalid(type, current.Name, "metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update");
            }

            var uid = ObjectRules.Text(desiredMetadata["uid"]);
            if (!string.IsNullOrEmpty(uid) && uid != current.Uid)
            {
                throw ApiStatusException.Conflict(type, current.Name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid}");
            }
        }

        JsonObject next;
        if (scope == WriteScope.EphemeralContainers)
        {
            next = current.ToNode();
            var spec = next["spec"] as JsonObject ?? new JsonObject();
            next["spec"] = spec;
            var before = currentNode["spec"]?["ephemeralContainers"] as JsonArray ?? [];
            var after = desired["spec"]?["ephemeralContainers"] as JsonArray ?? [];
            // As the API server's pod validation: ephemeral containers may be added, never removed or changed.
            foreach (var existing in before)
            {
                var name = ObjectRules.Text(existing?["name"]);
                if (!after.Any(c => ObjectRules.Text(c?["name"]) == name && JsonNode.DeepEquals(c, existing)))
                {
                    throw ApiStatusException.Invalid(type, current.Name, "spec.ephemeralContainers",
                        $"Forbidden: existing ephemeral containers \"{name}\" may not be removed or changed", "FieldValueForbidden");
                }
            }

            spec["ephemeralContainers"] = after.DeepClone();
        }
        else if (scope == WriteScope.Status)
        {
            next = current.ToNode();
            next.Remove("status");
            if (desired["status"] is { } status)
            {
                next["status"] = status.DeepClone();
            }
        }
        else
        {
            next = desired;
            if (scope == WriteScope.Main && type.HasStatusSubresource)
            {
                next.Remove("status");
                if (currentNode["status"] is { } status)
                {
                    next["status"] = status.DeepClone();
                }
            }
        }

        var metadata = ObjectRules.Metadata(next);
        var currentMetadata = ObjectRules.Metadata(currentNode);
        metadata["name"] = current.Name;
        if (type.Namespaced)
        {
            metadata["namespace"] = current.Namespace;
        }
        else
        {
            metadata.Remove("namespace");
        }

        if (current.Uid.Length > 0)
        {
            metadata["uid"] = current.Uid;
        }

        metadata.Remove("selfLink");
        foreach (var field in new[] { "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds" })
        {
            metadata.Remove(field);
            if (currentMetadata[field] is { } value)
            {
                metadata[field] = value.DeepClone();
            }
        }

        if (current.IsDeleting)
        {
            var added = ObjectRules.Finalizers(next).Except(ObjectRules.Finalizers(currentNode)).ToList();
            if (added.Count > 0)
            {
                throw ApiStatusException.Invalid(type, current.Name, "metadata.finalizers",
                    $"Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{{\"{string.Join("\", \"", added)}\"}}",
                    "FieldValueForbidden");
            }
        }

        if (type.HasGeneration)
        {
            var generation = currentMetadata["generation"] is JsonValue g && g.TryGetValue<long>(out var value) ? value : 1;
            if (scope != WriteScope.Status && ObjectRules.SpecChanged(type, currentNode, next))
            {
                generation++;
            }

            metadata["generation"] = generation;
        }
        else
        {
            metadata.Remove("generation");
        }

        if (type == BuiltInResources.CustomResourceDefinitions && scope != WriteScope.Status)
        {
            ValidateCrd(next, current.Name);
            if (scope == WriteScope.Seed)
            {
                next["status"] = CustomResourceDefinitions.AcceptedStatus(next, ObjectRules.Timestamp(_time));
            }
        }

        metadata["resourceVersion"] = currentVersion;
        if (JsonNode.DeepEquals(JsonNode.Parse(next.ToJsonString()), currentNode))
        {
            return current;
        }

        var removing = current.IsDeleting && ObjectRules.Finalizers(next).Count == 0;
        return Commit(type, next, current, removing, dryRun);
    }

    private DeleteResult DeleteLocked(ResourceType type, StoredObject current, DeleteRequest request)
    {
        if (request.PreconditionUid is { Length: > 0 } uid && uid != current.Uid)
        {
            throw ApiStatusException.Conflict(type, current.Name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid}");
        }

        var currentVersion = current.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        if (request.PreconditionResourceVersion is { Length: > 0 } rv && rv != currentVersion)
        {
            throw ApiStatusException.Conflict(type, current.Name,
                $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {currentVersion}");
        }

        if (request.DryRun)
        {
            return new DeleteResult(current, Removed: !current.HasFinalizers);
        }

        if (type == BuiltInResources.Namespaces)
        {
            DeleteNamespaceContents(current.Name);
        }

        if (request.Propagation is PropagationPolicy.Foreground or PropagationPolicy.Orphan)
        {
            _collector.OwnerGone(current.Uid, request.Propagation, this);
        }

        // Collecting dependents first can reach this object again through an ownership cycle.
        if (_store.Table(type.GroupResource).Get(current.Key) is not { } latest || latest.Uid != current.Uid)
        {
            return new DeleteResult(current, Removed: true);
        }

        current = latest;
        var node = current.ToNode();
        if (current.HasFinalizers)
        {
            if (current.IsDeleting)
            {
                return new DeleteResult(current, Removed: false);
            }

            var metadata = ObjectRules.Metadata(node);
            metadata["deletionTimestamp"] = ObjectRules.Timestamp(_time);
            metadata["deletionGracePeriodSeconds"] = 0;
            if (type == BuiltInResources.Namespaces)
            {
                node["status"] = new JsonObject { ["phase"] = "Terminating" };
            }

            return new DeleteResult(Commit(type, node, current, removing: false, dryRun: false), Removed: false);
        }

        return new DeleteResult(Commit(type, node, current, removing: true, dryRun: false), Removed: true);
    }

    /// <summary>Stamps the next revision and stores (or removes) the object; the only place revisions are spent.</summary>
    private StoredObject Commit(ResourceType type, JsonObject next, StoredObject? current, bool removing, bool dryRun)
    {
        var metadata = ObjectRules.Metadata(next);
        if (dryRun)
        {
            metadata["resourceVersion"] = (current?.ResourceVersion ?? 0).ToString(CultureInfo.InvariantCulture);
            return StoredObject.From(next);
        }

        metadata["resourceVersion"] = _store.NextRevision().ToString(CultureInfo.InvariantCulture);
        var stored = StoredObject.From(next);
        if (removing)
        {
            _store.Remove(type.GroupResource, stored, current!);
            AfterRemoved(type, stored);
        }
        else
        {
            _store.Put(type.GroupResource, stored, current);
            if (type == BuiltInResources.CustomResourceDefinitions)
            {
                var (types, _) = CustomResourceDefinitions.ServedTypes(next);
                if (types.Count > 0)
                {
                    _catalog.ReplaceVersions(types[0].GroupResource, types);
                }
            }
        }

        return stored;
    }

    private void AfterRemoved(ResourceType type, StoredObject removed)
    {
        if (type == BuiltInResources.CustomResourceDefinitions)
        {
            var (types, _) = CustomResourceDefinitions.ServedTypes(removed.ToNode());
            if (types.Count > 0)
            {
                var resource = types[0].GroupResource;
                var table = _store.Table(resource);
                foreach (var instance in table.Scan(null, null).ToList())
                {
                    var node = instance.ToNode();
                    ObjectRules.Metadata(node)["resourceVersion"] = _store.NextRevision().ToString(CultureInfo.InvariantCulture);
                    var final = StoredObject.From(node);
                    _store.Remove(resource, final, instance);
                    _collector.OwnerGone(final.Uid, PropagationPolicy.Background, this);
                }

                _catalog.Unregister(resource);
                _store.Hub.DropAll(resource);
            }
        }

        _collector.OwnerGone(removed.Uid, PropagationPolicy.Background, this);
    }

    private void DeleteNamespaceContents(string ns)
    {
        foreach (var resource in _store.Resources())
        {
            var table = _store.Table(resource);
            foreach (var obj in table.Scan(ns, null).ToList())
            {
                if (obj.Namespace == ns && table.Get(obj.Key) is { } current && !current.IsDeleting)
                {
                    DeleteLocked(TypeOf(resource, current), current, DeleteRequest.Default);
                }
            }
        }
    }

    private ResourceType TypeOf(GroupResource resource, StoredObject obj)
    {
        var versions = _catalog.VersionsOf(resource);
        return versions.FirstOrDefault(t => t.ApiVersion == obj.ApiVersion)
            ?? (versions.Count > 0 ? versions[0] : null)
            ?? new ResourceType
            {
                Group = resource.Group,
                Version = obj.ApiVersion.Split('/')[^1],
                Kind = obj.Kind,
                Plural = resource.Resource,
                Namespaced = obj.Namespace.Length > 0,
                IsCustom = true,
            };
    }

    private static void CheckTypeMeta(ResourceType type, JsonObject obj)
    {
        var apiVersion = ObjectRules.Text(obj["apiVersion"]);
        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != type.ApiVersion)
        {
            throw ApiStatusException.BadRequest(
                $"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})");
        }

        var kind = ObjectRules.Text(obj["kind"]);
        if (!string.IsNullOrEmpty(kind) && kind != type.Kind)
        {
            throw ApiStatusException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({type.Kind})");
        }

        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = type.Kind;
    }

    private static JsonObject InitialStatus(ResourceType type) => type.Kind switch
    {
        "Pod" when type.Group.Length == 0 => new JsonObject { ["phase"] = "Pending" },
        "Namespace" when type.Group.Length == 0 => new JsonObject { ["phase"] = "Active" },
        _ => [],
    };

    private static void ValidateCrd(JsonObject crd, string name)
    {
        var (_, error) = CustomResourceDefinitions.ServedTypes(crd);
        if (error is not null)
        {
            throw ApiStatusException.Invalid(BuiltInResources.CustomResourceDefinitions, name, "spec", error);
        }
    }
}

/// <summary>The patch media types the server accepts.</summary>
internal static class PatchMediaTypes
{
    public const string Json = "application/json-patch+json";
    public const string Merge = "application/merge-patch+json";
    public const string Strategic = "application/strategic-merge-patch+json";
    public const string Apply = "application/apply-patch+yaml";
}
