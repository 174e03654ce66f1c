/**
 * Word lists for the scale seeder (bench/seed-scale.ts): realistic names, so that trigram search
 * over profiles.full_name meets the selectivity it meets in production (common last names match
 * dozens of patients in a practice, fragments like "mar" match hundreds), and realistic texts.
 */

export const FIRST_NAMES = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Christopher', 'Karen',
  'Charles', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Betty', 'Anthony', 'Sandra', 'Mark', 'Margaret',
  'Donald', 'Ashley', 'Steven', 'Kimberly', 'Andrew', 'Emily', 'Paul', 'Donna', 'Joshua', 'Michelle',
  'Kenneth', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Melissa', 'George', 'Deborah', 'Timothy', 'Stephanie',
  'Ronald', 'Dorothy', 'Jason', 'Rebecca', 'Edward', 'Sharon', 'Jeffrey', 'Laura', 'Ryan', 'Cynthia',
  'Jacob', 'Amy', 'Gary', 'Kathleen', 'Nicholas', 'Angela', 'Eric', 'Shirley', 'Jonathan', 'Brenda',
  'Stephen', 'Emma', 'Larry', 'Anna', 'Justin', 'Pamela', 'Scott', 'Nicole', 'Brandon', 'Samantha',
  'Benjamin', 'Katherine', 'Samuel', 'Christine', 'Gregory', 'Helen', 'Alexander', 'Debra', 'Patrick', 'Rachel',
  'Frank', 'Carolyn', 'Raymond', 'Janet', 'Jack', 'Maria', 'Dennis', 'Olivia', 'Jerry', 'Heather',
  'Tyler', 'Sophia', 'Aaron', 'Isabella', 'Jose', 'Mia', 'Adam', 'Ava', 'Nathan', 'Abigail',
  'Henry', 'Madison', 'Zachary', 'Chloe', 'Douglas', 'Grace', 'Peter', 'Victoria', 'Kyle', 'Lily',
  'Noah', 'Sierra', 'Ethan', 'Tori', 'Liam', 'Priya', 'Mason', 'Aisha', 'Lucas', 'Mei',
  'Diego', 'Camila', 'Mateo', 'Valentina', 'Arjun', 'Ananya', 'Wei', 'Yuki', 'Omar', 'Fatima',
  'Marcus', 'Jasmine', 'Caleb', 'Hannah', 'Owen', 'Zoe', 'Elijah', 'Layla', 'Logan', 'Nora',
];

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz', 'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes',
  'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers', 'Gutierrez', 'Ortiz', 'Morgan', 'Cooper',
  'Peterson', 'Bailey', 'Reed', 'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward', 'Richardson',
  'Watson', 'Brooks', 'Chavez', 'Wood', 'James', 'Bennett', 'Gray', 'Mendoza', 'Ruiz', 'Hughes',
  'Price', 'Alvarez', 'Castillo', 'Sanders', 'Patel', 'Myers', 'Long', 'Ross', 'Foster', 'Jimenez',
  'Powell', 'Jenkins', 'Perry', 'Russell', 'Sullivan', 'Bell', 'Coleman', 'Butler', 'Henderson', 'Barnes',
  'Gonzales', 'Fisher', 'Vasquez', 'Simmons', 'Romero', 'Jordan', 'Patterson', 'Alexander', 'Hamilton', 'Graham',
  'Reynolds', 'Griffin', 'Wallace', 'Moreno', 'West', 'Cole', 'Hayes', 'Bryant', 'Herrera', 'Gibson',
  'Ellis', 'Tran', 'Medina', 'Aguilar', 'Stevens', 'Murray', 'Ford', 'Castro', 'Marshall', 'Owens',
  'Harrison', 'Fernandez', 'McDonald', 'Woods', 'Washington', 'Kennedy', 'Wells', 'Vargas', 'Henry', 'Chen',
  'Freeman', 'Webb', 'Tucker', 'Guzman', 'Burns', 'Crawford', 'Olson', 'Simpson', 'Porter', 'Hunter',
  'Gordon', 'Mendez', 'Silva', 'Shaw', 'Snyder', 'Mason', 'Dixon', 'Munoz', 'Hunt', 'Hicks',
  'Holmes', 'Palmer', 'Wagner', 'Black', 'Robertson', 'Boyd', 'Rose', 'Stone', 'Salazar', 'Fox',
  'Warren', 'Mills', 'Meyer', 'Rice', 'Schmidt', 'Garza', 'Daniels', 'Ferguson', 'Nichols', 'Stephens',
  'Soto', 'Weaver', 'Ryan', 'Gardner', 'Payne', 'Grant', 'Dunn', 'Kelley', 'Spencer', 'Hawkins',
  'Nolen', 'Hale', 'Raman', 'Okafor', 'Nakamura', 'Kowalski', 'Novak', 'Haddad', 'Singh', 'Wang',
];

export const CITIES = [
  'Austin', 'Dallas', 'Houston', 'Chicago', 'Denver', 'Phoenix', 'Seattle', 'Portland', 'Boston', 'Atlanta',
  'Nashville', 'Miami', 'Tampa', 'Orlando', 'Madison', 'Omaha', 'Tulsa', 'Raleigh', 'Richmond', 'Columbus',
];

export const PRACTICE_SUFFIXES = ['Orthodontics', 'Smile Studio', 'Dental Group', 'Family Orthodontics', 'Aligner Clinic', 'Dental Care'];

export const CASE_TITLES = [
  'Full arch aligners', 'Refinement after 20 weeks', 'Lower crowding', 'Class II correction', 'Upper spacing',
  'Open bite correction', 'Crossbite, posterior', 'Retainer replacement', 'Deep bite', 'Midline shift',
  'Pre-restorative alignment', 'Relapse after braces', 'Teen comprehensive', 'Anterior only aligners', 'Emergency: broken attachment',
  'Follow-up scan', 'Class III camouflage', 'Diastema closure', 'Rotated lateral incisor', 'Night guard + retainer',
];

/** Human messages; none starts with a system wording that implies a state (see legacy README). */
export const MESSAGE_TEXTS = [
  'Patient asked whether the attachments can be tooth coloured.',
  'Uploaded new intraoral photos, please check the lower left.',
  'Can we add IPR between 3.3 and 3.4?',
  'Patient reports soreness with tray 4, advised to continue.',
  'Please confirm the number of aligners in the plan.',
  'The bite registration looks off, can you re-check the scan?',
  'pt moved appointments to next month',
  'Doctor prefers no attachments on the upper incisors.',
  'Reminder: records review is due this week.',
  'Called the patient, they will come in on Tuesday.',
  'The STL export failed once, retried and it worked.',
  'Please extend treatment by two trays for the lower arch.',
  'Thanks, looks good to me.',
  'Is the refinement covered by the original fee?',
  'Parent asked about the retainer schedule.',
  'Added panoramic x-ray from the last visit.',
  'Attachments on 1.3 and 2.3 keep falling off.',
  'Sending updated photos after tray 10.',
  'Could the lab speed this up? Patient travels next month.',
  'Noted: patient has a latex allergy.',
  'We changed the shipping address for this practice.',
  'Lower arch fits well, upper tray 7 is tight.',
  'ok',
  'Please call the front desk about the invoice.',
];

export const MESSAGE_SUBJECTS = ['Attachments', 'Scan quality', 'Treatment plan', 'Schedule', 'Billing', 'Shipping', 'Records', 'Question'];

/** Products (global catalogue): name, category, base price. */
export const PRODUCTS: Array<[string, 'aligners' | 'retainers' | 'appliances' | 'accessories' | 'services', string]> = [
  ['Clear aligners, full arch (per arch)', 'aligners', '695.00'],
  ['Clear aligners, lite (per arch)', 'aligners', '395.00'],
  ['Clear aligners, refinement', 'aligners', '195.00'],
  ['Clear aligners, teen (per arch)', 'aligners', '745.00'],
  ['Vivera-style retainer set', 'retainers', '249.00'],
  ['Essix retainer', 'retainers', '89.00'],
  ['Hawley retainer', 'retainers', '129.00'],
  ['Bonded lingual retainer', 'retainers', '159.00'],
  ['Night guard', 'appliances', '179.00'],
  ['Expander (RPE)', 'appliances', '329.00'],
  ['Bite ramp appliance', 'appliances', '119.00'],
  ['Chewies (pack of 10)', 'accessories', '12.00'],
  ['Aligner case', 'accessories', '8.50'],
  ['Treatment planning fee', 'services', '150.00'],
  ['3D model printing', 'services', '45.00'],
  ['Rush production', 'services', '95.00'],
];

/** The state texts the legacy system wrote (README table), one or two wordings each. */
export const LEGACY_STATE_TEXTS: Record<string, string[]> = {
  submitted: ['Thank you for your case submission. We will proceed with planning and notify you when your treatment plan is ready.'],
  under_review: ['Your case has been received and is under review by our clinical team.'],
  planning: ['Your treatment plan is ready for review. Please approve or request changes.'],
  approved: ['Treatment plan approved by Dr. %s.'],
  in_production: ['Your aligners are now in production.', 'Case sent to manufacturing.'],
  quality_check: ['Your order is in final quality inspection.'],
  shipped: ['Your order has shipped via UPS, tracking number 1Z%s.', 'Your order has shipped via FedEx, tracking number %s.'],
  delivered: ['Delivered on %s.', 'Delivery confirmed.'],
  completed: ['Case completed. Thank you for choosing us!'],
  on_hold: ['We need additional records before we can continue: please upload a new lower arch scan.', 'We need additional records before we can continue: please upload current x-rays.'],
  cancelled: ["This case has been cancelled at the doctor's request.", 'Case cancelled.'],
};
