# Prints the help of the make targets, for `make help`: each "##@ Heading"
# line starts a section and each "target: ... ## text" line becomes one
# entry, target names aligned to the longest one. A "$(NAME)" in a text is
# replaced by the environment variable NAME, which the help target sets to
# the make variable's value.

/^##@/ {
	n++; kind[n] = "heading"; text[n] = substr($0, 5)
	next
}

/^[a-zA-Z0-9_.-]+:.*## / {
	name = $0; sub(/:.*/, "", name)
	t = $0; sub(/^[^#]*## /, "", t)
	n++; kind[n] = "target"; target[n] = name; text[n] = t
	if (length(name) > width) width = length(name)
}

# expand replaces each $(NAME) in s by ENVIRON[NAME], left to right, so that
# a value holding "$(" is not expanded again.
function expand(s,    out, name) {
	out = ""
	while (match(s, /\$\([A-Za-z_][A-Za-z0-9_]*\)/)) {
		name = substr(s, RSTART + 2, RLENGTH - 3)
		out = out substr(s, 1, RSTART - 1) ENVIRON[name]
		s = substr(s, RSTART + RLENGTH)
	}
	return out s
}

END {
	for (i = 1; i <= n; i++) {
		if (kind[i] == "heading")
			printf "\n%s\n", expand(text[i])
		else
			printf "  %-" width "s  %s\n", target[i], expand(text[i])
	}
}
