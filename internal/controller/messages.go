package controller

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"

	"sigs.k8s.io/controller-runtime/pkg/recorder"
)

// Limits the API server puts on the text pca-issuer writes, in bytes: a
// condition's message (metav1.Condition, 32,768) and an event's note
// (events.k8s.io/v1, 1,024). Text over them would make the whole write
// fail, so it is cut before.
const (
	maxConditionMessage = 32768
	maxEventNote        = 1024
)

// boundedMessage returns s cut to at most limit bytes of valid UTF-8,
// ending in "..." when cut.
func boundedMessage(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	// Invalid bytes are dropped, not kept to the end of the message.
	cut := strings.ToValidUTF8(s[:limit-3], "")
	return cut + "..."
}

// boundedRecorder cuts every event note to maxEventNote bytes.
type boundedRecorder struct {
	recorder.EventRecorder
}

// Eventf formats the note and records it, cut to maxEventNote bytes.
func (r boundedRecorder) Eventf(regarding, related runtime.Object, eventtype, reason, action, note string, args ...interface{}) {
	r.EventRecorder.Eventf(regarding, related, eventtype, reason, action, "%s", boundedMessage(fmt.Sprintf(note, args...), maxEventNote))
}

// AnnotatedEventf formats the note and records it with annotations, cut to
// maxEventNote bytes.
func (r boundedRecorder) AnnotatedEventf(regarding, related runtime.Object, annotations map[string]string, eventtype, reason, action, note string, args ...interface{}) {
	r.EventRecorder.AnnotatedEventf(regarding, related, annotations, eventtype, reason, action, "%s", boundedMessage(fmt.Sprintf(note, args...), maxEventNote))
}
