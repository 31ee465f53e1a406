namespace EksHardening.AwsStub.Iam;

/// <summary>The IAM directory the stub serves: roles with their policies, and managed policies with versions.</summary>
public sealed class IamStub
{
    private readonly Lock _gate = new();
    private readonly StubContext _context;
    private readonly Dictionary<string, IamRole> _roles = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IamManagedPolicy> _policies = new(StringComparer.Ordinal);

    internal IamStub(StubContext context) => _context = context;

    public IReadOnlyList<IamRole> Roles
    {
        get
        {
            lock (_gate)
            {
                return [.. _roles.Values.OrderBy(r => r.Name, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Creates or replaces a role (role names are case-insensitive, as in IAM); returns it with id and ARN filled in.</summary>
    public IamRole AddRole(IamRole role)
    {
        ArgumentNullException.ThrowIfNull(role);
        lock (_gate)
        {
            var existing = _roles.GetValueOrDefault(role.Name);
            var stored = role with
            {
                RoleId = role.RoleId ?? existing?.RoleId ?? _context.UpperId("AROA"),
                Arn = role.Arn ?? $"arn:aws:iam::{_context.AccountId}:role{role.Path}{role.Name}",
                CreatedAt = role.CreatedAt ?? existing?.CreatedAt ?? _context.Now,
            };
            _roles[role.Name] = stored;
            return stored;
        }
    }

    public IamRole? FindRole(string name)
    {
        lock (_gate)
        {
            return _roles.GetValueOrDefault(name);
        }
    }

    /// <summary>The role an ARN names, when it is one of the stub's roles.</summary>
    public IamRole? FindRoleByArn(string arn)
    {
        lock (_gate)
        {
            return _roles.Values.FirstOrDefault(r => r.Arn == arn);
        }
    }

    public bool RemoveRole(string name)
    {
        lock (_gate)
        {
            return _roles.Remove(name);
        }
    }

    /// <summary>Creates or replaces a managed policy; returns it with id and ARN filled in.</summary>
    public IamManagedPolicy AddManagedPolicy(IamManagedPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Versions.All(v => v.VersionId != policy.DefaultVersionId))
        {
            throw new ArgumentException($"The default version {policy.DefaultVersionId} is not among the versions.", nameof(policy));
        }

        var owner = policy.AwsManaged ? "aws" : _context.AccountId;
        var created = policy.CreatedAt ?? _context.Now;
        var stored = policy with
        {
            PolicyId = policy.PolicyId ?? _context.UpperId("ANPA"),
            Arn = policy.Arn ?? $"arn:aws:iam::{owner}:policy{policy.Path}{policy.Name}",
            CreatedAt = created,
            Versions = [.. policy.Versions.Select(v => v with { CreatedAt = v.CreatedAt ?? created })],
        };
        lock (_gate)
        {
            _policies[stored.Arn] = stored;
        }

        return stored;
    }

    public IamManagedPolicy? FindPolicy(string arn)
    {
        lock (_gate)
        {
            return _policies.GetValueOrDefault(arn);
        }
    }

    /// <summary>How many roles attach a policy (the AttachmentCount GetPolicy reports).</summary>
    internal int AttachmentCount(string arn)
    {
        lock (_gate)
        {
            return _roles.Values.Count(r => r.AttachedPolicyArns.Contains(arn));
        }
    }

    internal int BoundaryCount(string arn)
    {
        lock (_gate)
        {
            return _roles.Values.Count(r => r.PermissionsBoundaryArn == arn);
        }
    }
}
