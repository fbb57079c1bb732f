package bot

import "context"

// SelfIdentifier is implemented by adapters that know the bot's own user
// on their platform. The bot never judges its own messages; adapters
// that do not implement it must not deliver them.
type SelfIdentifier interface {
	// Self returns the bot's own user.
	Self() UserRef
}

// RoleMemberLister is implemented by adapters that can list the members
// of a role (Discord role, Mattermost group), for alerts sent by direct
// message to every member of Policy.AlertRoles.
type RoleMemberLister interface {
	// RoleMembers returns the members of role (an id or a name) in class.
	RoleMembers(ctx context.Context, class, role string) ([]UserRef, error)
}
