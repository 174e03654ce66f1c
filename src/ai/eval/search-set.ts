/**
 * The labelled set of `npm run eval:search`: realistic orthodontic case summaries and staff
 * messages (practice <-> lab), grouped by topic, and queries phrased the way people ask,
 * deliberately sharing few words with their answers. Relevance is graded: 2 = a document of the
 * query's topic, 1 = a document of a closely related topic, 0 = everything else.
 * Written for this project; no patient data.
 */
export interface EvalDoc {
  key: string;
  topic: string;
  kind: 'case' | 'message';
  title?: string;
  text: string;
}

export interface EvalQuery {
  q: string;
  topic: string;
  /** Topics whose documents count as partly relevant (grade 1). */
  related?: string[];
  /**
   * Per-document judgements (document key -> grade 1 or 2), replacing the topic-level grades when
   * present: every document not named is 0 (blind3, judged text by text).
   */
  grades?: Readonly<Record<string, number>>;
}

type T = [kind: 'c' | 'm', text: string, title?: string];

const TOPICS: Record<string, T[]> = {
  tracking: [
    ['c', 'Aligners 9-12 not seating on upper incisors, visible air gap at incisal edges. Chewies advised, consider refinement.', 'Upper aligners not tracking'],
    ['m', 'Pt says the tray sits proud on UR1 and UL1, about 1mm space at the biting edge since aligner 10.'],
    ['m', 'Lower aligner 14 is not fully engaging the canines, patient was told to go back to 13 for another week.'],
    ['m', 'Noticed poor fit of the current set: gap between plastic and teeth on the front, tracking lost around stage 8.'],
    ['c', 'Off-track at stage 16, lateral incisors lagging behind the plan, request mid-course correction scan.', 'Lost tracking stage 16'],
  ],
  attachment: [
    ['m', 'Two attachments came off the lower premolars (LL4, LL5) yesterday, can we send a new template?'],
    ['m', 'Patient lost the composite button on UR3, aligner is loose there now.'],
    ['c', 'Attachment template needed: 3 attachments debonded on upper right quadrant, replace before aligner 6.', 'Replacement attachment template'],
    ['m', 'Please add an optimized attachment on UL2 for the extrusion, the current plan has none.'],
    ['m', 'Bonding of attachments done today, one on LR3 looked underfilled, may need rebonding.'],
  ],
  retainer_broken: [
    ['c', 'Essix retainer cracked at the lower left molar after 8 months of wear; remake requested.', 'Lower retainer cracked'],
    ['m', 'Upper vacuum formed retainer split in half, patient needs a replacement as soon as possible.'],
    ['m', 'The clear retainer has a tear near the canine and feels sharp, can the lab make a new one from the old scan?'],
    ['m', 'Fixed lingual retainer wire broke loose from LL2, patient noticed it when flossing.'],
    ['c', 'Bonded retainer failure 3-3 lower, one pad debonded, rebond or replace wire.', 'Bonded retainer debond'],
  ],
  bracket: [
    ['m', 'Bracket on UR5 came off during lunch, patient is coming in tomorrow.'],
    ['c', 'Repeated bracket failures on lower molars, consider bands instead of bonded tubes.', 'Debonded brackets lower molars'],
    ['m', 'Loose bracket on LL3 spinning on the wire, please book an emergency slot.'],
    ['m', 'Pt broke two brackets eating hard candy, rebond needed before next adjustment.'],
    ['m', 'Ceramic bracket UL2 debonded, replacement bracket ordered from the lab.'],
  ],
  ipr: [
    ['c', 'Plan calls for 0.3mm interproximal reduction between lower incisors at stage 4 to relieve crowding.', 'IPR lower anterior'],
    ['m', 'Was the IPR done at aligner 4? The ClinCheck shows 0.2 mm between UR2 and UR3.'],
    ['m', 'Stripping of contacts between the lower incisors was skipped, the aligners will not fit without it.'],
    ['m', 'Please confirm how much enamel reduction is planned between the canines and laterals.'],
    ['m', 'Slenderizing done today, 0.5 mm total in the lower arch as per the treatment plan.'],
  ],
  elastics: [
    ['c', 'Class II division 1, bilateral Class II elastics from canine to first molar, full-time wear.', 'Class II elastics'],
    ['m', 'Pt admits not wearing the rubber bands at night, molar relationship is not improving.'],
    ['m', 'Please add precision cuts for Class II elastics on upper canines and lower molar buttons.'],
    ['m', 'Patient ran out of elastics, please send another pack of 3/16 medium.'],
    ['m', 'Intermaxillary elastics causing sore lower molars, can we reduce the force?'],
  ],
  rescan: [
    ['c', 'Scan rejected by lab: distal of second molars missing and distortion in the lower arch. Rescan required.', 'Rescan required'],
    ['m', 'The intraoral scan has holes on the palatal of the upper incisors, we cannot design from it.'],
    ['m', 'STL files arrived but the bite registration is missing, please resend the occlusion scan.'],
    ['m', 'PVS impression had bubbles on the occlusal surfaces, new impression needed.'],
    ['m', 'Digital impression incomplete, the last molar on each side was not captured.'],
  ],
  openbite: [
    ['c', 'Anterior open bite 3mm with tongue thrust habit, plan includes tongue crib and vertical elastics.', 'Open bite tongue thrust'],
    ['m', 'Front teeth still do not touch when biting, open bite not closing as planned.'],
    ['m', 'Tongue thrusting noticed during speech, referred to myofunctional therapy.'],
    ['m', 'Plan anterior extrusion on aligners to close the vertical gap between incisors.'],
    ['m', 'Lateral open bite developed on the right side after the expansion phase.'],
  ],
  crossbite: [
    ['c', 'Bilateral posterior crossbite, rapid palatal expander for 4 weeks then retention.', 'Posterior crossbite expander'],
    ['m', 'Parents turned the expansion screw twice a day as instructed, expansion complete at 7mm.'],
    ['m', 'RPE activation finished, please plan the retention period before removing the appliance.'],
    ['m', 'Upper molars still sit inside the lower molars on the left, need more transverse width.'],
    ['m', 'Single tooth anterior crossbite on UL2, plan to jump it with aligners and bite ramps.'],
  ],
  deepbite: [
    ['c', 'Deep bite 90% overbite, lower incisors hitting palate. Plan intrusion of upper incisors.', 'Deep bite correction'],
    ['m', 'The lower front teeth are biting into the gums behind the upper teeth, deep overbite still there.'],
    ['m', 'Add bite turbos on the upper incisors to open the bite, the overbite is not reducing.'],
    ['m', 'Overbite reduced from 6 mm to 3 mm since the last visit, good progress.'],
    ['m', 'Curve of Spee leveling in the lower arch is slow, deep bite persists.'],
  ],
  overjet: [
    ['c', 'Increased overjet 8mm, protrusive upper incisors, Class II skeletal pattern. Functional appliance phase.', 'Large overjet'],
    ['m', 'Upper front teeth stick out a lot, patient is worried about trauma playing hockey.'],
    ['m', 'OJ reduced to 4mm with the Twin Block, moving to fixed appliances.'],
    ['m', 'Retract upper incisors to reduce the horizontal overlap, space available from extractions.'],
    ['m', 'Proclined upper incisors causing lip incompetence, overjet correction is the main goal.'],
  ],
  crowding: [
    ['c', 'Moderate lower anterior crowding 5mm, non-extraction with expansion and IPR.', 'Lower crowding'],
    ['m', 'Lower incisors are overlapping, patient wants them straight before the wedding.'],
    ['m', 'Severe upper crowding, canines blocked out buccally, consider extractions.'],
    ['m', 'Teeth are bunched up at the front of the lower jaw, alignment slower than expected.'],
    ['m', 'Relapse of crowding in the lower arch after retainer stopped being worn.'],
  ],
  spacing: [
    ['c', 'Midline diastema 2mm between upper central incisors, closure with aligners then bonded retainer.', 'Diastema closure'],
    ['m', 'Patient unhappy about the gap between her front teeth reopening.'],
    ['m', 'Generalized spacing in the upper arch, plan space closure and consolidation.'],
    ['m', 'Space between UL1 and UL2 is still visible after aligner 20.'],
    ['m', 'Frenectomy recommended before closing the central gap to prevent it reopening.'],
  ],
  refinement: [
    ['c', 'Refinement requested after the initial series of 24 aligners, minor rotations remain.', 'Refinement after series 1'],
    ['m', 'Please start a mid-course correction, new scans uploaded today.'],
    ['m', 'Pt finished all trays but the teeth are not quite where the plan said, ordering additional aligners.'],
    ['m', 'Second round of aligners needed to finish the lower incisors.'],
    ['m', 'Case complete except for small finishing issues, we would like one more set of trays.'],
  ],
  shipping: [
    ['m', 'The courier has not delivered the aligners, tracking shows it stuck in the depot since Monday.'],
    ['c', 'Shipment lost in transit, aligners 1-10 to be remanufactured and sent by express.', 'Lost shipment'],
    ['m', 'When will the package with the retainers arrive? The patient appointment is Thursday.'],
    ['m', 'Delivery delayed due to customs, expected dispatch next week.'],
    ['m', 'Parcel arrived damaged, two aligner bags were torn open.'],
  ],
  billing: [
    ['m', 'Please send the invoice for the retainer order to the practice accountant.'],
    ['m', 'We were charged twice for the same refinement, can you refund one payment?'],
    ['c', 'Billing dispute: lab fee for case includes 3 refinements but contract covers unlimited.', 'Billing dispute'],
    ['m', 'What is the price of a replacement aligner set outside the warranty?'],
    ['m', 'Payment for March statement has been transferred, please confirm receipt.'],
  ],
  approval: [
    ['c', 'Treatment plan version 3 uploaded, awaiting doctor approval before manufacturing.', 'Plan awaiting approval'],
    ['m', 'Dr Meyer, please review and approve the 3D setup so we can start production.'],
    ['m', 'The simulation looks good, approved for manufacture.'],
    ['m', 'Setup not approved yet: I want less expansion in the lower arch, please modify.'],
    ['m', 'Still waiting for the doctor to sign off the ClinCheck, production on hold.'],
  ],
  discomfort: [
    ['m', 'Pt has an ulcer on the cheek where the aligner edge rubs, can the lab trim it?'],
    ['m', 'The tray edges are sharp and cutting the gums behind the lower incisors.'],
    ['c', 'Soft tissue irritation from aligner margins, smooth edges and provide wax.', 'Aligner edge irritation'],
    ['m', 'Patient complains of sore teeth for a week after switching to aligner 5.'],
    ['m', 'Pain on biting with the new set, more than usual, should she go back one tray?'],
  ],
  impacted: [
    ['c', 'Impacted upper right canine, palatally displaced; surgical exposure and bonded chain planned.', 'Impacted canine UR3'],
    ['m', 'The eye tooth has not come through yet, CBCT shows it lying across the lateral root.'],
    ['m', 'Exposure surgery done, gold chain attached, start traction next visit.'],
    ['m', 'Unerupted UL3 still not moving after 6 months of traction, consider ankylosis.'],
    ['m', 'Retained baby canine on the left, the adult one is stuck in the palate.'],
  ],
  extraction: [
    ['c', 'Extraction of four first premolars for severe crowding and bimaxillary protrusion.', 'Four premolar extraction'],
    ['m', 'Patient had the upper premolars removed yesterday, please start space closure plan.'],
    ['m', 'Is this an extraction case or can we do it with expansion? Parents prefer no extractions.'],
    ['m', 'Pontics needed in the aligners where the premolars were taken out.'],
    ['m', 'Extraction spaces still open 2 mm on both sides after 10 months.'],
  ],
  midline: [
    ['c', 'Upper dental midline shifted 3mm to the right of facial midline, asymmetric elastics.', 'Midline discrepancy'],
    ['m', 'The centre line between the front teeth does not match the face, patient noticed in photos.'],
    ['m', 'Lower midline off by 2mm to the left, correct with IPR on one side.'],
    ['m', 'Midlines coincide now, good, continue with finishing.'],
    ['m', 'Plan to shift the upper centerline using the extraction space on the right.'],
  ],
  resorption: [
    ['c', 'Panoramic x-ray shows external apical root resorption on upper incisors, treatment paused 3 months.', 'Root resorption'],
    ['m', 'Roots of UL1 and UR1 look shorter on the new OPG compared with the start.'],
    ['m', 'Blunting of incisor apices noticed, reduce forces and re-take radiograph in 6 months.'],
    ['m', 'Periapical film needed to check root length before continuing intrusion.'],
    ['m', 'Patient history of short roots, plan light forces only.'],
  ],
  tmj: [
    ['c', 'Jaw joint clicking and pain on opening, TMD screening before orthodontic treatment.', 'TMJ symptoms'],
    ['m', 'Patient reports clicking in the left jaw joint when chewing, started last month.'],
    ['m', 'Limited mouth opening and headaches in the morning, possible bruxism.'],
    ['m', 'Refer to TMJ specialist before we continue with the elastics.'],
    ['m', 'Jaw pain improved after night guard, resume aligners.'],
  ],
  appointment: [
    ['m', 'Patient missed the appointment today and did not call.'],
    ['m', 'Can we move the check-up to next Friday afternoon? School exams this week.'],
    ['m', 'Please reschedule the bonding visit, the lab delivery will be late.'],
    ['c', 'Repeated no-shows, three missed visits in four months; contact parents about continuing treatment.', 'Missed appointments'],
    ['m', 'Appointment booked for debond on 12 June at 9:30.'],
  ],
  wire: [
    ['m', 'The archwire is poking into the back of the cheek on the lower right.'],
    ['c', 'Long distal wire end irritating buccal mucosa, clip wire at next visit.', 'Distal wire irritation'],
    ['m', 'Pt says a sharp wire at the back is cutting her cheek, can she come in today?'],
    ['m', 'Wire slid out of the molar tube on the left, the end is loose.'],
    ['m', 'Broken archwire on the upper arch between the premolars.'],
  ],
  lost_aligner: [
    ['m', 'Patient lost aligner 12 on holiday, can the lab make a replacement?'],
    ['m', 'Dog chewed the upper tray, please send a new one of the same stage.'],
    ['c', 'Replacement aligner requested: upper 15 lost, patient wearing 14 meanwhile.', 'Lost aligner replacement'],
    ['m', 'Pt threw away the aligners wrapped in a napkin at a restaurant.'],
    ['m', 'Need a spare copy of the current lower tray, the old one cracked.'],
  ],
  retention: [
    ['c', 'Debond completed, upper and lower fixed retainers bonded, clear retainers for night wear.', 'Retention phase'],
    ['m', 'Braces came off today, please make the night-time retainers from the final scan.'],
    ['m', 'How long should the patient wear retainers after treatment ends?'],
    ['m', 'Start retention: Hawley upper, bonded lower 3-3.'],
    ['m', 'Patient is in the retention phase, check-up in 3 months.'],
  ],
  gums: [
    ['c', 'Gingival recession on lower incisors labial, periodontal referral before further proclination.', 'Gingival recession'],
    ['m', 'The gum line on LL1 has pulled back, root surface visible.'],
    ['m', 'Swollen, bleeding gums around the brackets, oral hygiene poor.'],
    ['m', 'Periodontist cleared the patient to continue treatment after deep cleaning.'],
    ['m', 'Thin biotype in the lower anterior region, avoid expanding the lower incisors.'],
  ],
  rotation: [
    ['c', 'UR2 rotation 25 degrees not correcting with aligners, consider button and elastic.', 'Rotation UR2 not correcting'],
    ['m', 'The upper lateral on the right is still twisted after 15 aligners.'],
    ['m', 'Rounded premolars rotate poorly with aligners, add optimized rotation attachments.'],
    ['m', 'Derotation of LL3 lagging about 10 degrees behind the plan.'],
    ['m', 'Canine turned the wrong way, we need an overcorrection in the refinement.'],
  ],
  compliance: [
    ['m', 'Patient only wears the aligners about 12 hours a day, progress is slow.'],
    ['c', 'Poor compliance with aligner wear time, consider switching to fixed appliances.', 'Compliance concerns'],
    ['m', 'Teen leaves trays out at school, parents asked to monitor the 22 hour wear.'],
    ['m', 'Compliance indicators on the aligners show low wear for stages 5-8.'],
    ['m', 'Pt forgets to put the trays back after meals.'],
  ],
  allergy: [
    ['c', 'Suspected allergy to aligner material, lip swelling after insertion; switch to alternative plastic.', 'Aligner material allergy'],
    ['m', 'Nickel allergy on the medical history, please use nickel-free wires.'],
    ['m', 'Patient developed a rash around the mouth since starting the new trays.'],
    ['m', 'Latex-free elastics required for this patient.'],
    ['m', 'Burning sensation in the mouth with the retainer, could it be a reaction to the acrylic?'],
  ],
};

export const SEARCH_DOCS: EvalDoc[] = Object.entries(TOPICS).flatMap(([topic, docs]) =>
  docs.map(([k, text, title], i) => ({ key: `${topic}-${i}`, topic, kind: k === 'c' ? 'case' : 'message', title, text })),
);

export const SEARCH_QUERIES: EvalQuery[] = [
  { q: 'aligners not tracking', topic: 'tracking', related: ['refinement'] },
  { q: 'gap between tray and incisal edge', topic: 'tracking' },
  { q: 'composite bumps fell off the teeth', topic: 'attachment' },
  { q: 'retainer is broken', topic: 'retainer_broken' },
  { q: 'brace glued to the tooth came loose', topic: 'bracket' },
  { q: 'how much enamel to shave between teeth', topic: 'ipr' },
  { q: 'patient not wearing rubber bands', topic: 'elastics', related: ['compliance'] },
  { q: 'digital impression unusable, missing back teeth', topic: 'rescan' },
  { q: 'front teeth do not meet when closing', topic: 'openbite' },
  { q: 'widen the narrow upper jaw', topic: 'crossbite' },
  { q: 'lower teeth bite into the palate', topic: 'deepbite' },
  { q: 'buck teeth sticking out', topic: 'overjet' },
  { q: 'crooked overlapping lower front teeth', topic: 'crowding' },
  { q: 'close the space between front teeth', topic: 'spacing' },
  { q: 'need more aligners to finish', topic: 'refinement', related: ['tracking'] },
  { q: 'package not delivered', topic: 'shipping' },
  { q: 'question about the bill', topic: 'billing' },
  { q: 'doctor sign off on the setup', topic: 'approval' },
  { q: 'sore spot from plastic edge', topic: 'discomfort' },
  { q: 'eye tooth stuck in the palate', topic: 'impacted' },
  { q: 'teeth pulled to make room', topic: 'extraction' },
  { q: 'centre line not matching the face', topic: 'midline' },
  { q: 'shortened roots on radiograph', topic: 'resorption' },
  { q: 'jaw joint clicking', topic: 'tmj' },
  { q: 'patient did not show up', topic: 'appointment' },
  { q: 'wire end stabbing the cheek', topic: 'wire' },
  { q: 'aligner misplaced need a new one', topic: 'lost_aligner' },
  { q: 'what happens after braces come off', topic: 'retention' },
  { q: 'gums receding on lower incisors', topic: 'gums' },
  { q: 'twisted tooth not turning', topic: 'rotation' },
  { q: 'pt not wearing trays enough', topic: 'compliance', related: ['elastics'] },
  { q: 'reaction to the material, swelling', topic: 'allergy' },
  { q: 'IPR between lower incisors', topic: 'ipr', related: ['crowding'] },
  { q: 'UR3 exposure and chain', topic: 'impacted' },
  { q: 'OB too deep', topic: 'deepbite' },
  { q: 'reduce OJ', topic: 'overjet' },
];

/**
 * Added in session 4, written before any method was run on them (after reading the documents,
 * before reading text.ts's vocabulary): the way staff type, short keyword-like notes with pt/tx
 * shorthand and tooth numbers as well as lay paraphrases. All of them are held out: nothing is
 * tuned or fitted on them. `SEARCH_QUERIES` (the original 36) keep their even/odd split.
 */
export const SEARCH_QUERIES_ADDED: EvalQuery[] = [
  { q: 'tx on hold, roots look short on the xray', topic: 'resorption' },
  { q: 'how long does pt wear the night retainers', topic: 'retention' },
  { q: 'finished turning the key on the expander, what next', topic: 'crossbite' },
  { q: 'UL3 has not erupted', topic: 'impacted' },
  { q: 'trays not seated on the front teeth since stage 8', topic: 'tracking', related: ['refinement'] },
  { q: 'we paid the same invoice twice', topic: 'billing' },
  { q: 'pt lost her top tray at school', topic: 'lost_aligner' },
  { q: 'move the check-up to another day', topic: 'appointment' },
  { q: 'where is our lab parcel', topic: 'shipping' },
  { q: 'bumps on the teeth need re-bonding', topic: 'attachment' },
  { q: 'bite ramps to open the OB', topic: 'deepbite' },
  { q: 'itchy lips since new plastic', topic: 'allergy' },
  { q: 'interproximal stripping UR2 UR3', topic: 'ipr' },
  { q: 'gap in the middle of the top front teeth', topic: 'spacing' },
  { q: 'jaw aches when she wakes up', topic: 'tmj' },
  { q: 'gums bleed around the braces', topic: 'gums' },
  { q: 'waiting on dr to OK the plan', topic: 'approval' },
  { q: 'top incisors flared forward, big OJ', topic: 'overjet' },
  { q: 'archwire end poking the cheek', topic: 'wire' },
  { q: 'canine needs derotating', topic: 'rotation' },
  { q: 'bracket fell off UR5', topic: 'bracket' },
  { q: 'scan came without the bite', topic: 'rescan' },
  { q: 'teen leaves aligners out most of the day', topic: 'compliance', related: ['elastics'] },
  { q: 'premolars out to make space', topic: 'extraction', related: ['crowding'] },
  { q: 'upper centreline off to the right', topic: 'midline' },
  { q: 'plastic edge digging into the gum', topic: 'discomfort' },
  { q: 'crowded lower anteriors, non-ex tx', topic: 'crowding' },
  { q: 'extra trays after the first series', topic: 'refinement', related: ['tracking'] },
  { q: 'clear retainer cracked', topic: 'retainer_broken' },
  { q: 'front teeth apart when biting together', topic: 'openbite' },
];

/**
 * Added in session 5, written blind: committed before any search method (old or new) was run on
 * them, judged by reading the documents above, not by searching, and before this session's
 * vocabulary or model changes. Mostly the way staff type: ortho shorthand (bkt, AW, XB, OB/OJ,
 * AOB, EARR, OPG, DNA for "did not attend", MCC for mid-course correction, OH for oral hygiene,
 * "4s" for first premolars, Cl II), tooth numbers, and lay paraphrases sharing few words with
 * their answers. Graded as the others: 2 = the query's topic, 1 = a related topic named in
 * `related` (chosen by reading that topic's texts). All held out: nothing is tuned, fitted or
 * chosen on them; they are reported as their own split ("blind").
 */
export const SEARCH_QUERIES_BLIND: EvalQuery[] = [
  { q: 'trays sitting proud on the front teeth', topic: 'tracking', related: ['refinement'] },
  { q: 'pt off track, needs MCC scan', topic: 'tracking', related: ['refinement'] },
  { q: 'lower aligner not clipping in on the canines', topic: 'tracking', related: ['refinement'] },
  { q: 'lost 2 attachments LR quadrant', topic: 'attachment' },
  { q: 'composite engager came off', topic: 'attachment' },
  { q: 'need a new template to put the buttons back', topic: 'attachment' },
  { q: 'fixed retainer came unstuck', topic: 'retainer_broken' },
  { q: 'bonded wire behind lower front teeth is loose', topic: 'retainer_broken' },
  { q: 'Essix split, remake from old scan', topic: 'retainer_broken' },
  { q: 'bkt off LL3', topic: 'bracket' },
  { q: 'pt needs a rebond, brace popped off while eating', topic: 'bracket' },
  { q: "stripping not done, trays won't go in", topic: 'ipr', related: ['tracking'] },
  { q: 'sanding between teeth to make room', topic: 'ipr', related: ['crowding'] },
  { q: 'how much IPR per contact', topic: 'ipr' },
  { q: 'Cl II elastics not worn at night', topic: 'elastics', related: ['compliance'] },
  { q: 'pt ran out of bands, send more', topic: 'elastics' },
  { q: 'box elastics for AOB', topic: 'openbite', related: ['elastics'] },
  { q: 'negative OB', topic: 'openbite' },
  { q: 'tongue pushing forward between the teeth', topic: 'openbite' },
  { q: 'scan has voids, redo', topic: 'rescan' },
  { q: 'iTero missed the last molars', topic: 'rescan' },
  { q: 'impression distorted, take it again', topic: 'rescan' },
  { q: 'RPE turns done, how long to hold', topic: 'crossbite' },
  { q: 'upper back teeth biting inside the lowers', topic: 'crossbite' },
  { q: 'XB on UL2, jump with ramps', topic: 'crossbite' },
  { q: 'lower incisors hitting the gum behind the top teeth', topic: 'deepbite' },
  { q: 'level the curve of spee, intrude lowers', topic: 'deepbite' },
  { q: 'excessive vertical overlap of the incisors', topic: 'deepbite' },
  { q: 'OJ 8mm, twin block', topic: 'overjet' },
  { q: 'upper teeth protruding, worried about injury in sport', topic: 'overjet' },
  { q: 'lips cannot close over the upper front teeth', topic: 'overjet' },
  { q: 'lower anterior crowding came back', topic: 'crowding', related: ['retention'] },
  { q: 'not enough room for the canines', topic: 'crowding', related: ['extraction'] },
  { q: 'diastema reopening', topic: 'spacing' },
  { q: 'gaps between all the upper teeth', topic: 'spacing' },
  { q: 'frenum keeps the central gap open', topic: 'spacing' },
  { q: 'order additional aligners, case not finished', topic: 'refinement', related: ['tracking'] },
  { q: 'touch-up set for small rotations at the end', topic: 'refinement', related: ['rotation'] },
  { q: 'courier lost the box', topic: 'shipping' },
  { q: 'parcel held at customs', topic: 'shipping' },
  { q: 'refund for double charge', topic: 'billing' },
  { q: 'cost of replacement trays out of warranty', topic: 'billing', related: ['lost_aligner'] },
  { q: "setup OK'd, go ahead and fabricate", topic: 'approval' },
  { q: 'dr wants changes to the setup before approving', topic: 'approval' },
  { q: 'aligner rubbing, ulcer on cheek', topic: 'discomfort' },
  { q: 'teeth really sore after changing trays', topic: 'discomfort' },
  { q: 'palatal canine, expose and bond', topic: 'impacted' },
  { q: 'baby tooth still there, adult canine stuck', topic: 'impacted' },
  { q: 'ext 4s for bimax', topic: 'extraction', related: ['crowding'] },
  { q: 'pontic in tray where tooth was pulled', topic: 'extraction' },
  { q: 'extraction gaps not closing', topic: 'extraction', related: ['spacing'] },
  { q: 'ML off 2mm, fix with IPR one side', topic: 'midline', related: ['ipr'] },
  { q: 'smile looks lopsided, centre of teeth shifted', topic: 'midline' },
  { q: 'EARR on OPG', topic: 'resorption' },
  { q: 'blunted apices, lighten forces', topic: 'resorption' },
  { q: 'TMD pain on opening', topic: 'tmj' },
  { q: 'grinding at night, morning headaches', topic: 'tmj' },
  { q: 'pt DNA today', topic: 'appointment' },
  { q: 'reschedule bonding appt', topic: 'appointment' },
  { q: 'poking wire at the back', topic: 'wire' },
  { q: 'AW snapped between the premolars', topic: 'wire' },
  { q: 'dog ate the aligner', topic: 'lost_aligner' },
  { q: 'need a spare of the current stage', topic: 'lost_aligner' },
  { q: 'retainers after debond, night wear', topic: 'retention' },
  { q: 'gingival recession lower anteriors, perio referral', topic: 'gums' },
  { q: 'poor OH, inflamed gums around brackets', topic: 'gums' },
  { q: 'lateral still rotated after 15 trays', topic: 'rotation', related: ['refinement'] },
  { q: 'premolar not derotating, needs optimized attachment', topic: 'rotation', related: ['attachment'] },
  { q: 'pt wears trays only 12h a day', topic: 'compliance' },
  { q: 'kid not wearing aligners 22 hours', topic: 'compliance' },
  { q: 'nickel free wires needed', topic: 'allergy' },
  { q: 'rash from aligner plastic', topic: 'allergy' },
];

/**
 * Session 5, second batch: written after text.ts's ORTHO_GLOSSARY was frozen (3483eaf) and
 * committed before any method ran on them, by the glossary's author (so not independent of it,
 * but the glossary was not changed after seeing them: they measure how far it carries to
 * phrasing it was not written against). Judged by reading the documents, as above. Held out.
 */
export const SEARCH_QUERIES_BLIND2: EvalQuery[] = [
  { q: 'incisors lagging, aligners not fitting properly', topic: 'tracking', related: ['refinement'] },
  { q: 'chewies not helping, tray still loose at the front', topic: 'tracking', related: ['refinement'] },
  { q: 'replace the little tooth-coloured bumps before the next set', topic: 'attachment' },
  { q: 'rebond attachments upper right', topic: 'attachment' },
  { q: 'lingual bar came away from the lower incisor', topic: 'retainer_broken' },
  { q: 'night retainer has a crack in it', topic: 'retainer_broken' },
  { q: 'metal piece came off a back tooth', topic: 'bracket' },
  { q: 'ceramic bkt needs replacing', topic: 'bracket' },
  { q: 'reduce the contacts between the lower front teeth', topic: 'ipr', related: ['crowding'] },
  { q: 'was the interproximal done as per the plan', topic: 'ipr' },
  { q: 'bands pulling too hard, molars hurt', topic: 'elastics', related: ['discomfort'] },
  { q: 'hooks cut into the aligners for elastics', topic: 'elastics' },
  { q: 'bite reg missing from the upload', topic: 'rescan' },
  { q: 'scan quality too poor for the lab to design', topic: 'rescan' },
  { q: 'tongue thrust habit, myofunctional referral', topic: 'openbite' },
  { q: 'side teeth not meeting after expansion', topic: 'openbite', related: ['crossbite'] },
  { q: 'palatal expansion finished at 7 mm', topic: 'crossbite' },
  { q: 'front tooth locked behind the lowers', topic: 'crossbite' },
  { q: 'intrude the upper incisors to open the bite', topic: 'deepbite' },
  { q: 'deep bite getting better', topic: 'deepbite' },
  { q: 'retract the upper incisors into the extraction spaces', topic: 'overjet', related: ['extraction'] },
  { q: 'functional appliance phase for a class 2', topic: 'overjet', related: ['elastics'] },
  { q: 'canines high and outside the arch', topic: 'crowding' },
  { q: 'lower teeth crooked again after she stopped the retainer', topic: 'crowding', related: ['retention'] },
  { q: 'consolidate the spaces in the upper arch', topic: 'spacing' },
  { q: 'gap reopened between the two front teeth', topic: 'spacing' },
  { q: 'second series needed for the lower incisors', topic: 'refinement' },
  { q: 'finishing issues, one more set of aligners', topic: 'refinement' },
  { q: 'tracking number shows no movement for days', topic: 'shipping' },
  { q: 'parcel came in ripped open', topic: 'shipping' },
  { q: 'send the statement to our accountant', topic: 'billing' },
  { q: 'contract says unlimited refinements but we were billed', topic: 'billing', related: ['refinement'] },
  { q: 'production waiting on doctor approval of version 3', topic: 'approval' },
  { q: 'edges of the new aligner cut the tongue', topic: 'discomfort' },
  { q: 'pain biting down with the new set, go back a stage?', topic: 'discomfort' },
  { q: 'traction on the canine not moving, ankylosed?', topic: 'impacted' },
  { q: 'parents want to avoid removing teeth', topic: 'extraction' },
  { q: 'centre lines match now, finishing', topic: 'midline' },
  { q: 'check root length before more intrusion', topic: 'resorption' },
  { q: 'headaches and limited opening', topic: 'tmj' },
  { q: 'exam week, move her visit', topic: 'appointment' },
  { q: 'wire slipped out at the back molar', topic: 'wire' },
  { q: 'left the upper aligner in a restaurant napkin', topic: 'lost_aligner' },
  { q: 'how many hours a day should retainers be worn', topic: 'retention' },
  { q: 'perio cleared her to resume after scaling', topic: 'gums' },
  { q: 'overcorrect the canine rotation in the refinement', topic: 'rotation', related: ['refinement'] },
  { q: 'blue dots on the aligners say she is not wearing them', topic: 'compliance' },
  { q: 'latex free bands needed', topic: 'allergy', related: ['elastics'] },
];

/** Grades of one blind3 query: `two` and `one` list the document keys judged 2 and 1. */
function judged(two: string, one = ''): Record<string, number> {
  const g: Record<string, number> = {};
  for (const k of one.split(/\s+/).filter(Boolean)) g[k] = 1;
  for (const k of two.split(/\s+/).filter(Boolean)) g[k] = 2;
  return g;
}

/**
 * Session 6 (blind3): written before any method was run on them, by an author who had read
 * text.ts (and its glossary) but wrote them the way front desk, assistants and lab technicians
 * type, not against the glossary: lay words, misspellings (atachment, retainor, brackit,
 * refinment, resorbtion, impresion, overlaping, replacment, alligner), shorthand (pt, tx, c/o,
 * IPR, UR3/LL2/LL3, OB/OJ, Cl 2, ext, appt, pls, dr). Graded document by document by reading the
 * 155 texts (never by searching): 2 = the document is about the situation the query describes,
 * 1 = the same subject but another situation, or a document that partly answers it; every other
 * document 0. The glossary is not to be changed to fit them. All held out.
 */
export const SEARCH_QUERIES_BLIND3: EvalQuery[] = [
  { q: "trays don't fit", topic: 'tracking', grades: judged('tracking-0 tracking-1 tracking-2 tracking-3 tracking-4', 'ipr-2 refinement-2') },
  { q: 'patient lost aligner 12', topic: 'lost_aligner', grades: judged('lost_aligner-0', 'lost_aligner-1 lost_aligner-2 lost_aligner-3 lost_aligner-4') },
  { q: 'pt lost UR3 atachment', topic: 'attachment', grades: judged('attachment-1 attachment-0 attachment-2', 'attachment-4 attachment-3') },
  { q: 'upper retainor snapped', topic: 'retainer_broken', grades: judged('retainer_broken-1 retainer_broken-2', 'retainer_broken-0 retainer_broken-3 retainer_broken-4') },
  { q: 'brackit fell of', topic: 'bracket', grades: judged('bracket-0 bracket-1 bracket-2 bracket-3 bracket-4') },
  { q: 'how much IPR between LL2 and LL3', topic: 'ipr', grades: judged('ipr-0 ipr-3 ipr-4', 'ipr-1 ipr-2 crowding-0 midline-2') },
  { q: 'OB still deep after 6 months', topic: 'deepbite', grades: judged('deepbite-0 deepbite-1 deepbite-2 deepbite-4', 'deepbite-3') },
  { q: 'big overjet, class 2 div 1', topic: 'overjet', grades: judged('overjet-0 overjet-1 overjet-3 overjet-4', 'overjet-2 elastics-0') },
  { q: 'refinment scans sent today', topic: 'refinement', grades: judged('refinement-1 refinement-0 refinement-2 refinement-3 refinement-4 tracking-4', 'tracking-0') },
  { q: 'UL2 not tracking', topic: 'tracking', grades: judged('tracking-0 tracking-1 tracking-2 tracking-3 tracking-4', 'rotation-0 rotation-1') },
  { q: 'parcel tracking says delivered but nothing arrived', topic: 'shipping', grades: judged('shipping-0 shipping-1 shipping-2', 'shipping-3 shipping-4') },
  { q: 'front tooth is behind the bottom teeth when she bites', topic: 'crossbite', grades: judged('crossbite-4', 'crossbite-0 crossbite-1 crossbite-2 crossbite-3') },
  { q: "son isn't wearing his invisalign", topic: 'compliance', grades: judged('compliance-0 compliance-1 compliance-2 compliance-3 compliance-4', 'elastics-1') },
  { q: 'pt c/o pain with new trays', topic: 'discomfort', grades: judged('discomfort-3 discomfort-4', 'discomfort-0 discomfort-1 discomfort-2 elastics-4') },
  { q: 'rough edge on aligner cutting gum', topic: 'discomfort', grades: judged('discomfort-0 discomfort-1 discomfort-2', 'discomfort-3 discomfort-4 retainer_broken-2') },
  { q: 'wire sticking into cheek', topic: 'wire', grades: judged('wire-0 wire-1 wire-2', 'wire-3 wire-4') },
  { q: 'end of the wire came out of the tube', topic: 'wire', grades: judged('wire-3', 'wire-0 wire-1 wire-2 wire-4') },
  { q: 'how many nights a week retainers after braces', topic: 'retention', grades: judged('retention-2 retention-0', 'retention-1 retention-3 retention-4') },
  { q: 'gum shrinking on bottom front tooth', topic: 'gums', grades: judged('gums-0 gums-1', 'gums-2 gums-3 gums-4') },
  { q: 'bleeding gums, not brushing properly', topic: 'gums', grades: judged('gums-2', 'gums-0 gums-1 gums-3') },
  { q: "canine won't come down", topic: 'impacted', grades: judged('impacted-0 impacted-1 impacted-2 impacted-3 impacted-4') },
  { q: 'lost baby tooth but adult canine still not through', topic: 'impacted', grades: judged('impacted-4 impacted-1 impacted-3', 'impacted-0 impacted-2') },
  { q: 'will she need teeth out?', topic: 'extraction', grades: judged('extraction-2', 'extraction-0 extraction-1 crowding-2') },
  { q: 'space closure after premolar extractions, 2mm left each side', topic: 'extraction', grades: judged('extraction-4 extraction-1', 'extraction-0 overjet-3 midline-4 spacing-2') },
  { q: 'midline of bottom teeth shifted left', topic: 'midline', grades: judged('midline-2', 'midline-0 midline-1 midline-3 midline-4') },
  { q: 'root resorbtion on xray', topic: 'resorption', grades: judged('resorption-0 resorption-1 resorption-2', 'resorption-3 resorption-4') },
  { q: 'jaw clicks when eating', topic: 'tmj', grades: judged('tmj-0 tmj-1', 'tmj-2 tmj-3 tmj-4') },
  { q: 'no show again, third time', topic: 'appointment', grades: judged('appointment-0 appointment-3', 'appointment-1 appointment-2 appointment-4') },
  { q: 'parents want to change the appt to after school', topic: 'appointment', grades: judged('appointment-1 appointment-2', 'appointment-4') },
  { q: 'invoice for the retainers', topic: 'billing', grades: judged('billing-0', 'billing-1 billing-2 billing-3 billing-4') },
  { q: 'how much does a replacment tray cost', topic: 'billing', grades: judged('billing-3', 'billing-2 lost_aligner-0 lost_aligner-1 lost_aligner-2 lost_aligner-4') },
  { q: "has the doc approved the setup yet? lab can't start", topic: 'approval', grades: judged('approval-0 approval-1 approval-2 approval-3 approval-4') },
  { q: 'dr changed his mind, less expansion on the lower', topic: 'approval', grades: judged('approval-3', 'approval-0 approval-1 approval-4 gums-4') },
  { q: "lab can't use the impresion, bubbles", topic: 'rescan', grades: judged('rescan-3 rescan-0 rescan-1 rescan-4', 'rescan-2') },
  { q: 'gap between top and bottom front teeth when she bites, tongue pushes through', topic: 'openbite', grades: judged('openbite-0 openbite-1 openbite-2 openbite-3', 'openbite-4') },
  { q: 'how many turns a day on the palate expander', topic: 'crossbite', grades: judged('crossbite-1 crossbite-0 crossbite-2', 'crossbite-3') },
  { q: 'Cl 2 elastics full time or nights only?', topic: 'elastics', grades: judged('elastics-0', 'elastics-1 elastics-2 elastics-3 elastics-4') },
  { q: 'elastics making her back teeth ache', topic: 'elastics', grades: judged('elastics-4', 'elastics-0 elastics-1 elastics-2 elastics-3 discomfort-3 tmj-3') },
  { q: 'gap between UL1 and UL2', topic: 'spacing', grades: judged('spacing-3 spacing-2', 'spacing-0 spacing-1 spacing-4') },
  { q: 'LL3 derotation lagging', topic: 'rotation', grades: judged('rotation-3 rotation-0 rotation-1', 'rotation-2 rotation-4 tracking-4') },
  { q: 'is she allergic to the plastic? lips swollen', topic: 'allergy', grades: judged('allergy-0 allergy-2 allergy-4', 'allergy-1 allergy-3') },
  { q: 'teeth shifting after tx, not wearing retainer', topic: 'crowding', grades: judged('crowding-4', 'retention-2 retention-0 spacing-1') },
  { q: 'lower front teeth overlaping, non extraction', topic: 'crowding', grades: judged('crowding-0 crowding-1 crowding-3', 'crowding-2 crowding-4 extraction-2') },
  { q: 'pt threw her tray in the bin by accident', topic: 'lost_aligner', grades: judged('lost_aligner-3', 'lost_aligner-0 lost_aligner-1 lost_aligner-2 lost_aligner-4') },
  { q: 'alligner 14 not sitting on lower canines, go back a tray?', topic: 'tracking', grades: judged('tracking-2', 'tracking-0 tracking-1 tracking-3 tracking-4') },
  { q: 'composite attachments need bonding before aligner 6', topic: 'attachment', grades: judged('attachment-2 attachment-4 attachment-0', 'attachment-1 attachment-3') },
  { q: 'box arrived smashed', topic: 'shipping', grades: judged('shipping-4', 'shipping-0 shipping-1 shipping-2 shipping-3') },
  { q: 'grinding teeth at night, jaw sore in the morning', topic: 'tmj', grades: judged('tmj-2 tmj-4', 'tmj-0 tmj-1 tmj-3 discomfort-3') },
  { q: 'brackets keep debonding on the molars, pls use bands', topic: 'bracket', grades: judged('bracket-1', 'bracket-0 bracket-2 bracket-3 bracket-4') },
  { q: "my daughter's tooth is twisted", topic: 'rotation', grades: judged('rotation-0 rotation-1 rotation-2 rotation-3 rotation-4') },
  { q: 'scan for new retainers after debond', topic: 'retention', grades: judged('retention-1 retention-0', 'retainer_broken-2 appointment-4') },
  { q: 'pt says aligners feel loose', topic: 'tracking', grades: judged('tracking-0 tracking-1 tracking-2 tracking-3 tracking-4', 'attachment-1') },
];

/**
 * Session 7 (blind4): written and committed alone, before any search method (old or new) ran on
 * them and before this session's query-side changes; their author had read the 155 texts, the
 * earlier queries (to avoid repeating them) and src/ai/README.md (which names a few glossary
 * entries) but not text.ts or its glossary. The way
 * staff and parents type: lay words ("permanent retainer", "roof of the mouth", "came unglued",
 * "smile not centered"), misspellings (atachments, attachmnt, retaner, brackts, bitting,
 * expandor, aligener, recieved, nickle, slenderising), shorthand (pt, ext, PA, appt, 3/16, UL2,
 * LL1, 3d, "mid course") and questions. Graded document by document as blind3 was,
 * by reading the texts, never by searching: 2 = the document is about the situation the query
 * describes, 1 = the same subject but another situation, or a document that partly answers it;
 * every other document 0. Held out: nothing is tuned or chosen on them.
 */
export const SEARCH_QUERIES_BLIND4: EvalQuery[] = [
  { q: 'aligner wont click in on the front teeth', topic: 'tracking', grades: judged('tracking-0 tracking-1 tracking-3', 'tracking-2 tracking-4') },
  { q: 'trays not seating, should she use chewies?', topic: 'tracking', grades: judged('tracking-0 tracking-1 tracking-2 tracking-3', 'tracking-4') },
  { q: 'atachments fell of the lower premolars', topic: 'attachment', grades: judged('attachment-0', 'attachment-1 attachment-2 attachment-4') },
  { q: 'pt needs new attachmnt template', topic: 'attachment', grades: judged('attachment-0 attachment-2', 'attachment-1 attachment-4') },
  { q: 'can we put an extra attachment on UL2?', topic: 'attachment', grades: judged('attachment-3', 'attachment-0 attachment-1 attachment-2 attachment-4 rotation-2') },
  { q: 'essix retaner cracked at the back', topic: 'retainer_broken', grades: judged('retainer_broken-0', 'retainer_broken-1 retainer_broken-2 retainer_broken-3 retainer_broken-4') },
  { q: 'permanent retainer wire came loose', topic: 'retainer_broken', grades: judged('retainer_broken-3 retainer_broken-4', 'retainer_broken-0 retainer_broken-1 retainer_broken-2') },
  { q: 'brace came unglued on a back tooth', topic: 'bracket', grades: judged('bracket-0 bracket-1', 'bracket-2 bracket-3 bracket-4') },
  { q: 'pt broke brackts on sweets', topic: 'bracket', grades: judged('bracket-3', 'bracket-0 bracket-1 bracket-2 bracket-4') },
  { q: 'loose bracket spinning round on the wire, can she come in?', topic: 'bracket', grades: judged('bracket-2', 'bracket-0 bracket-1 bracket-3 bracket-4') },
  { q: 'did we do the stripping at tray 4?', topic: 'ipr', grades: judged('ipr-1 ipr-0', 'ipr-2 ipr-3 ipr-4') },
  { q: 'slenderising lower arch done', topic: 'ipr', grades: judged('ipr-4', 'ipr-0 ipr-1 ipr-2 ipr-3') },
  { q: 'pt needs more elastics, 3/16', topic: 'elastics', grades: judged('elastics-3', 'elastics-0 elastics-1 elastics-2 elastics-4') },
  { q: 'precision cuts for class II bands', topic: 'elastics', grades: judged('elastics-2', 'elastics-0 elastics-1 elastics-3 elastics-4') },
  { q: 'holes in the scan on the palate side', topic: 'rescan', grades: judged('rescan-1', 'rescan-0 rescan-2 rescan-3 rescan-4') },
  { q: 'lab rejected the intraoral scan', topic: 'rescan', grades: judged('rescan-0', 'rescan-1 rescan-2 rescan-3 rescan-4') },
  { q: "front teeth don't close together, tongue crib?", topic: 'openbite', grades: judged('openbite-0 openbite-1', 'openbite-2 openbite-3 openbite-4') },
  { q: 'open bite on one side after widening', topic: 'openbite', grades: judged('openbite-4', 'openbite-0 openbite-1 openbite-3') },
  { q: 'expandor key turned twice a day by mum', topic: 'crossbite', grades: judged('crossbite-1', 'crossbite-0 crossbite-2') },
  { q: 'lower teeth bitting the roof of the mouth', topic: 'deepbite', grades: judged('deepbite-0 deepbite-1', 'deepbite-2 deepbite-3 deepbite-4') },
  { q: 'bite turbos on, overbite not improving', topic: 'deepbite', grades: judged('deepbite-2', 'deepbite-0 deepbite-1 deepbite-3 deepbite-4') },
  { q: 'overjet better with the twin block, going to braces', topic: 'overjet', grades: judged('overjet-2', 'overjet-0 overjet-1 overjet-3 overjet-4') },
  { q: "my son's top teeth stick out too far", topic: 'overjet', grades: judged('overjet-0 overjet-1 overjet-4', 'overjet-2 overjet-3') },
  { q: 'wants her teeth straight for the wedding', topic: 'crowding', grades: judged('crowding-1', 'crowding-0 crowding-3') },
  { q: 'upper canines blocked out, ext?', topic: 'crowding', grades: judged('crowding-2', 'crowding-0 extraction-0 extraction-2') },
  { q: 'diastema closed, bonded retainer next?', topic: 'spacing', grades: judged('spacing-0', 'spacing-1 spacing-2 spacing-3 spacing-4') },
  { q: 'still a gap next to her front tooth on the top left', topic: 'spacing', grades: judged('spacing-3', 'spacing-0 spacing-1 spacing-2') },
  { q: 'need a mid course correction', topic: 'refinement', grades: judged('refinement-1 tracking-4', 'refinement-0 refinement-2 refinement-3 refinement-4 tracking-0') },
  { q: 'finished all her aligners but not happy with the result', topic: 'refinement', grades: judged('refinement-2 refinement-4', 'refinement-0 refinement-3') },
  { q: 'parcel stuck at the depot', topic: 'shipping', grades: judged('shipping-0', 'shipping-1 shipping-2 shipping-3') },
  { q: 'when do the retainers get here? appt thursday', topic: 'shipping', grades: judged('shipping-2', 'shipping-0 shipping-3 appointment-2') },
  { q: 'lab sent us two bills for one refinement', topic: 'billing', grades: judged('billing-1', 'billing-0 billing-2') },
  { q: 'has the march payment been recieved', topic: 'billing', grades: judged('billing-4', 'billing-0 billing-1') },
  { q: 'dr meyer needs to approve the 3d setup', topic: 'approval', grades: judged('approval-1 approval-0 approval-4', 'approval-2 approval-3') },
  { q: 'simulation approved, go to production', topic: 'approval', grades: judged('approval-2', 'approval-0 approval-1 approval-3 approval-4') },
  { q: 'mouth ulcer from the aligener', topic: 'discomfort', grades: judged('discomfort-0 discomfort-2', 'discomfort-1') },
  { q: 'teeth ache for days after each new aligner', topic: 'discomfort', grades: judged('discomfort-3 discomfort-4', 'discomfort-0 discomfort-1 discomfort-2 elastics-4') },
  { q: 'adult canine stuck in the roof of the mouth', topic: 'impacted', grades: judged('impacted-4 impacted-0', 'impacted-1 impacted-2 impacted-3') },
  { q: 'chain on the canine, start pulling it down', topic: 'impacted', grades: judged('impacted-2', 'impacted-0 impacted-3') },
  { q: 'pontics for the missing premolars in the trays', topic: 'extraction', grades: judged('extraction-3', 'extraction-0 extraction-1 extraction-4') },
  { q: 'premolars extracted yesterday, close the spaces', topic: 'extraction', grades: judged('extraction-1', 'extraction-0 extraction-3 extraction-4 overjet-3 midline-4') },
  { q: 'smile not centered with her face', topic: 'midline', grades: judged('midline-0 midline-1', 'midline-2 midline-3 midline-4') },
  { q: 'short roots, go easy on the forces', topic: 'resorption', grades: judged('resorption-4 resorption-2', 'resorption-0 resorption-1 resorption-3') },
  { q: 'need a PA to check the roots', topic: 'resorption', grades: judged('resorption-3', 'resorption-0 resorption-1 resorption-2 resorption-4') },
  { q: 'jaw clicking, refer to a specialist?', topic: 'tmj', grades: judged('tmj-3 tmj-0', 'tmj-1 tmj-2 tmj-4') },
  { q: "she didn't turn up and didn't phone", topic: 'appointment', grades: judged('appointment-0', 'appointment-3') },
  { q: 'booked in for braces removal in june', topic: 'appointment', grades: judged('appointment-4', 'appointment-1 appointment-2 retention-1') },
  { q: 'archwire broke on the top', topic: 'wire', grades: judged('wire-4', 'wire-0 wire-1 wire-2 wire-3') },
  { q: 'pt lost her aligners on vacation', topic: 'lost_aligner', grades: judged('lost_aligner-0', 'lost_aligner-1 lost_aligner-2 lost_aligner-3 lost_aligner-4') },
  { q: 'wear indicators low, pt not compliant', topic: 'compliance', grades: judged('compliance-3', 'compliance-0 compliance-1 compliance-2 compliance-4') },
  { q: 'forgets to put her aligners back in after eating', topic: 'compliance', grades: judged('compliance-4', 'compliance-0 compliance-1 compliance-2 compliance-3') },
  { q: 'nickle allergy, what wires?', topic: 'allergy', grades: judged('allergy-1', 'allergy-0 allergy-3 allergy-4') },
  { q: 'mouth burns with the retainer in', topic: 'allergy', grades: judged('allergy-4', 'allergy-0 allergy-2') },
  { q: "thin gums lower front, don't expand", topic: 'gums', grades: judged('gums-4', 'gums-0 gums-1') },
  { q: 'recession on LL1, root showing', topic: 'gums', grades: judged('gums-1 gums-0', 'gums-4') },
  { q: 'lateral incisor still rotated, button and elastic?', topic: 'rotation', grades: judged('rotation-0 rotation-1', 'rotation-2 rotation-3 rotation-4') },
  { q: 'hawley on top, bonded on the bottom', topic: 'retention', grades: judged('retention-3', 'retention-0 retention-1 retention-4') },
];

/**
 * Which part of the set a query is in: the even-numbered of the original 36 tune, the odd ones,
 * every added query (session 4), both blind batches (session 5), blind3 (session 6) and blind4
 * (session 7) are held out.
 */
export type Split = 'tune' | 'heldOut' | 'added' | 'blind' | 'blind2' | 'blind3' | 'blind4';
export const SPLITS: readonly Split[] = ['tune', 'heldOut', 'added', 'blind', 'blind2', 'blind3', 'blind4'];
export const ALL_QUERIES: ReadonlyArray<{ q: EvalQuery; split: Split }> = [
  ...SEARCH_QUERIES.map((q, i) => ({ q, split: (i % 2 === 0 ? 'tune' : 'heldOut') as Split })),
  ...SEARCH_QUERIES_ADDED.map((q) => ({ q, split: 'added' as Split })),
  ...SEARCH_QUERIES_BLIND.map((q) => ({ q, split: 'blind' as Split })),
  ...SEARCH_QUERIES_BLIND2.map((q) => ({ q, split: 'blind2' as Split })),
  ...SEARCH_QUERIES_BLIND3.map((q) => ({ q, split: 'blind3' as Split })),
  ...SEARCH_QUERIES_BLIND4.map((q) => ({ q, split: 'blind4' as Split })),
];


/** Graded relevance of a document for a query. */
export function relevance(q: EvalQuery, d: EvalDoc): number {
  if (q.grades) return q.grades[d.key] ?? 0;
  if (d.topic === q.topic) return 2;
  if (q.related?.includes(d.topic)) return 1;
  return 0;
}

/**
 * Session 7: the original 36 queries judged again document by document with blind3's rubric
 * (2 = about the situation the query describes, 1 = same subject, another situation, or a partial
 * answer; every unnamed document 0), by reading the texts, never by searching. NOT used for the
 * splits' figures (those keep their topic-level grades, so that every session's figures stay
 * comparable); eval:search-spelling reports the original 36 under both, to show what the
 * topic-level rubric does to the figure. Topic-level grading gives all five texts of the topic
 * 2 and a related topic's texts 1; this one is stricter (fewer 2s) and also names relevant texts
 * of other topics the topic-level grades gave 0.
 */
export const ORIGINAL_BY_DOCUMENT: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  'aligners not tracking': judged('tracking-0 tracking-1 tracking-2 tracking-3 tracking-4', 'refinement-1 refinement-2 ipr-2 rotation-0 rotation-1 rotation-3'),
  'gap between tray and incisal edge': judged('tracking-0 tracking-1 tracking-3', 'tracking-2 tracking-4'),
  'composite bumps fell off the teeth': judged('attachment-0 attachment-1 attachment-2', 'attachment-3 attachment-4'),
  'retainer is broken': judged('retainer_broken-0 retainer_broken-1 retainer_broken-2 retainer_broken-3 retainer_broken-4'),
  'brace glued to the tooth came loose': judged('bracket-0 bracket-1 bracket-2 bracket-3 bracket-4'),
  'how much enamel to shave between teeth': judged('ipr-3 ipr-0 ipr-1', 'ipr-2 ipr-4 crowding-0 midline-2'),
  'patient not wearing rubber bands': judged('elastics-1', 'elastics-0 elastics-2 elastics-3 elastics-4 compliance-0 compliance-1 compliance-2 compliance-3 compliance-4'),
  'digital impression unusable, missing back teeth': judged('rescan-0 rescan-4', 'rescan-1 rescan-2 rescan-3'),
  'front teeth do not meet when closing': judged('openbite-0 openbite-1 openbite-3', 'openbite-2 openbite-4'),
  'widen the narrow upper jaw': judged('crossbite-0 crossbite-1 crossbite-3', 'crossbite-2 crossbite-4'),
  'lower teeth bite into the palate': judged('deepbite-0 deepbite-1', 'deepbite-2 deepbite-3 deepbite-4'),
  'buck teeth sticking out': judged('overjet-0 overjet-1 overjet-4', 'overjet-2 overjet-3'),
  'crooked overlapping lower front teeth': judged('crowding-0 crowding-1 crowding-3 crowding-4', 'crowding-2 ipr-0'),
  'close the space between front teeth': judged('spacing-0 spacing-1 spacing-2 spacing-3 spacing-4', 'extraction-1 extraction-4'),
  'need more aligners to finish': judged('refinement-0 refinement-2 refinement-3 refinement-4', 'refinement-1 tracking-0 tracking-4'),
  'package not delivered': judged('shipping-0 shipping-1', 'shipping-2 shipping-3 shipping-4'),
  'question about the bill': judged('billing-0 billing-1 billing-2 billing-3 billing-4'),
  'doctor sign off on the setup': judged('approval-0 approval-1 approval-2 approval-3 approval-4'),
  'sore spot from plastic edge': judged('discomfort-0 discomfort-1 discomfort-2', 'discomfort-3 discomfort-4 retainer_broken-2'),
  'eye tooth stuck in the palate': judged('impacted-0 impacted-1 impacted-4', 'impacted-2 impacted-3'),
  'teeth pulled to make room': judged('extraction-0 extraction-1 extraction-2', 'extraction-3 extraction-4 crowding-2'),
  'centre line not matching the face': judged('midline-0 midline-1', 'midline-2 midline-3 midline-4'),
  'shortened roots on radiograph': judged('resorption-0 resorption-1 resorption-2', 'resorption-3 resorption-4'),
  'jaw joint clicking': judged('tmj-0 tmj-1', 'tmj-2 tmj-3 tmj-4'),
  'patient did not show up': judged('appointment-0 appointment-3', 'appointment-1 appointment-2 appointment-4'),
  'wire end stabbing the cheek': judged('wire-0 wire-1 wire-2', 'wire-3 wire-4'),
  'aligner misplaced need a new one': judged('lost_aligner-0 lost_aligner-2 lost_aligner-3', 'lost_aligner-1 lost_aligner-4 billing-3'),
  'what happens after braces come off': judged('retention-0 retention-1 retention-2 retention-3 retention-4', 'appointment-4'),
  'gums receding on lower incisors': judged('gums-0 gums-1', 'gums-2 gums-3 gums-4'),
  'twisted tooth not turning': judged('rotation-0 rotation-1 rotation-3', 'rotation-2 rotation-4'),
  'pt not wearing trays enough': judged('compliance-0 compliance-1 compliance-2 compliance-3 compliance-4', 'elastics-1'),
  'reaction to the material, swelling': judged('allergy-0 allergy-2 allergy-4', 'allergy-1 allergy-3'),
  'IPR between lower incisors': judged('ipr-0 ipr-2 ipr-4', 'ipr-1 ipr-3 crowding-0'),
  'UR3 exposure and chain': judged('impacted-0 impacted-2', 'impacted-1 impacted-3 impacted-4'),
  'OB too deep': judged('deepbite-0 deepbite-1 deepbite-2 deepbite-4', 'deepbite-3'),
  'reduce OJ': judged('overjet-0 overjet-2 overjet-3 overjet-4', 'overjet-1'),
};
