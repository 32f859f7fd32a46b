package event

// ValidName reports whether s is 1-64 characters of [A-Za-z0-9_-]: the
// form of tenant, facility and federation ids of events.md. Such a name is
// always one literal NATS subject token, so it may be put in a subject.
func ValidName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !alnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// ValidID reports whether s is 1 to max characters of [A-Za-z0-9._:-]:
// the form of event, entity and operator ids.
func ValidID(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !alnum(c) && c != '.' && c != '_' && c != ':' && c != '-' {
			return false
		}
	}
	return true
}

func alnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
