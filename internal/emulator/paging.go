package emulator

import "github.com/nhnpca/pca-issuer/internal/pca/wire"

// paginate cuts one page out of items. Pages start at 0; opts are already
// checked (page >= 0, size >= 1). A page past the end is empty.
func paginate[T any](items []T, opts wire.ListOptions) ([]T, wire.Page) {
	page := wire.Page{
		TotalCnt:      len(items),
		TotalPageNo:   (len(items) + opts.Size - 1) / opts.Size,
		CurrentPageNo: opts.Page,
	}
	start := opts.Page * opts.Size
	if start >= len(items) {
		return []T{}, page
	}
	end := min(start+opts.Size, len(items))
	return items[start:end], page
}
