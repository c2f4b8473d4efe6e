/** The label's paper: a 100 × 150 mm thermal label, or the label on A4 (label.ts). */
export const LABEL_FORMATS = ['label', 'a4'] as const
export type LabelFormat = typeof LABEL_FORMATS[number]
