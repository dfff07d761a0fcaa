// What other modules (broadcasts) may use of segments: the one SQL builder and the filter's shape.
export { segmentQuery, countSegment, findSegment, type SegmentRow } from './repo';
export { segmentFilter, type SegmentFilter } from './schema';
